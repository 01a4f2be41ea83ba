// Which TCP ports a process and everything it started listen on, and on which address, read from
// Linux's /proc: how the tests prove that the local stack is reachable from this machine only,
// including listeners nobody configured (a worker's, a library's own).
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface ListeningSocket {
  /** As written: `127.0.0.1`, `0.0.0.0`, `::1`, `::`, `::ffff:127.0.0.1`, … */
  address: string;
  port: number;
  /** Reachable from this machine only: 127.0.0.0/8, ::1 or an IPv4-mapped 127.x address. */
  loopback: boolean;
  pid: number;
}

/** Whether /proc can answer (Linux). */
export const canListSockets = (): boolean => {
  try {
    readFileSync('/proc/net/tcp', 'utf8');
    return true;
  } catch {
    return false;
  }
};

/** `root` and every process it started, however deep. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    // `pid (comm) state ppid …`; comm may hold spaces and parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const tree: number[] = [];
  const visit = (pid: number): void => {
    tree.push(pid);
    for (const child of children.get(pid) ?? []) visit(child);
  };
  visit(root);
  return tree;
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode) inodes.add(inode);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/** /proc/net/tcp{,6} write each 32-bit word of an address in host (little-endian) order. */
function addressBytes(hex: string): number[] {
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    for (let i = 6; i >= 0; i -= 2) bytes.push(parseInt(hex.slice(word + i, word + i + 2), 16));
  }
  return bytes;
}

function describe(bytes: number[]): { address: string; loopback: boolean } {
  if (bytes.length === 4) return { address: bytes.join('.'), loopback: bytes[0] === 127 };
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255;
  if (mapped) {
    const v4 = bytes.slice(12);
    return { address: `::ffff:${v4.join('.')}`, loopback: v4[0] === 127 };
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  const address = groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
  const loopback = bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1;
  return { address, loopback };
}

/** Every TCP socket in LISTEN state that `root` or a process it started holds. */
export function listeningSockets(root: number = process.pid): ListeningSocket[] {
  const owner = new Map<string, number>();
  for (const pid of processTree(root)) {
    for (const inode of socketInodes(pid)) owner.set(inode, pid);
  }
  const found: ListeningSocket[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // no IPv6
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== '0A') continue; // 0A: LISTEN
      const pid = owner.get(fields[9]!);
      if (pid === undefined) continue;
      const [hex, port] = fields[1]!.split(':') as [string, string];
      found.push({ ...describe(addressBytes(hex)), port: parseInt(port, 16), pid });
    }
  }
  return found;
}
