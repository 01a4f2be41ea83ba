// The usage ledger's way to Firestore. A call's settlement appends its usage record to a Redis
// stream in the same script that charges its budgets (limits/lua-scripts.ts), so the answer
// never waits for Firestore, and the budgets and the ledger cannot disagree. A drainer moves
// the records to Firestore in batches, through a consumer group: a record is acknowledged,
// and deleted from the stream, only once Firestore has it.
//
// Every instance drains what it settles, shortly after (off the answer's path); the scheduled
// function `drainUsageLedger` sweeps up what nobody drained. A drainer that dies leaves its
// records pending, and another claims them once they have been idle CLAIM_IDLE_MS. Firestore
// counts a call id once (recordUsages), so a record written twice counts once. While
// Firestore is away, records wait in Redis (with persistence on, across its restarts too).
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { logger } from 'firebase-functions/logger';
import type { Firestore } from 'firebase-admin/firestore';
import { UsageRecord, describeIssues } from '@colonycraft/protocol';
import { withDeadline } from '../deadline.js';
import { Outage } from '../limits/outage.js';
import {
  instanceRedis,
  ledgerKey,
  ledgerKeyFromEnv,
  untilConnected,
} from '../limits/redis-store.js';
import { db } from '../firebase.js';
import { policyFromEnv } from '../gateway/policy.js';
import { recordUsages, type LedgerEntry } from './usage-ledger.js';

export const LEDGER_GROUP = 'firestore';
/** Records per batch: three writes each at most, under Firestore's 500 writes a batch. */
const BATCH = 100;
/** A record delivered to a drainer that has not acknowledged it for this long is taken over. */
export const CLAIM_IDLE_MS = 60_000;
/** After an instance settles a call, its drainer waits this long to gather a batch. */
const GATHER_MS = 100;
/** After a failed drain, the next try waits this long, doubling up to RETRY_MAX_MS. */
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 30_000;

/** A drainer idle this long with nothing pending is removed from the group. */
const FORGET_IDLE_MS = 24 * 60 * 60_000;

/** Counters for the instance's metrics and for tests. */
export const ledgerDrainMetrics = { drained: 0, failedDrains: 0, malformed: 0 };

type StreamEntry = [id: string, fields: string[] | null];

export interface LedgerDrainerOptions {
  /** The stream: `ledgerKey(prefix)` of the limit store whose settlements fill it. */
  key?: string;
  /** This drainer's name in the group; one per instance. */
  consumer?: string;
  /** The deadline of one batch's Firestore write. */
  timeoutMs?: number;
  claimIdleMs?: number;
  /** How long `nudge` waits to gather a batch. */
  gatherMs?: number;
}

export class LedgerDrainer {
  readonly key: string;
  readonly consumer: string;
  private readonly timeoutMs: number;
  private readonly claimIdleMs: number;
  private readonly gatherMs: number;
  private grouped: Promise<void> | undefined;
  private readonly outage = new Outage(
    'usage ledger: Firestore (records wait in Redis)',
    () => ledgerDrainMetrics.failedDrains++,
  );
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private retryMs = RETRY_MIN_MS;

  constructor(
    private readonly redis: Redis,
    private readonly db: () => Firestore,
    options: LedgerDrainerOptions = {},
  ) {
    this.key = options.key ?? ledgerKey();
    this.consumer = options.consumer ?? `instance-${randomUUID()}`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.claimIdleMs = options.claimIdleMs ?? CLAIM_IDLE_MS;
    this.gatherMs = options.gatherMs ?? GATHER_MS;
  }

  /**
   * Moves one batch to Firestore: this drainer's own unacknowledged records first, then those
   * another drainer has left idle too long, then new ones. Returns how many it took.
   */
  async drainOnce(): Promise<number> {
    await untilConnected(this.redis);
    await (this.grouped ??= this.createGroup());
    const entries = await this.next();
    if (entries.length === 0) return 0;
    const good: LedgerEntry[] = [];
    const malformed: StreamEntry[] = [];
    for (const entry of entries) {
      const parsed = parseEntry(entry);
      if (parsed) good.push(parsed);
      else if (entry[1]) malformed.push(entry);
    }
    if (good.length > 0)
      await withDeadline(recordUsages(this.db(), good), this.timeoutMs, 'Firestore');
    for (const [id, fields] of malformed) {
      // Kept aside for a person to look at, never dropped: the write that made it was a bug.
      ledgerDrainMetrics.malformed++;
      logger.error('usage ledger: a malformed record was set aside', { id, key: this.key });
      await this.redis.xadd(`${this.key}:malformed`, '*', ...fields!);
    }
    const ids = entries.map(([id]) => id);
    await this.redis
      .multi()
      .xack(this.key, LEDGER_GROUP, ...ids)
      .xdel(this.key, ...ids)
      .exec();
    ledgerDrainMetrics.drained += good.length;
    return entries.length;
  }

  /** Drains until the stream has nothing for this drainer; returns how many records it took. */
  async drain(): Promise<number> {
    let taken = 0;
    for (let n = await this.drainOnce(); n > 0; n = await this.drainOnce()) taken += n;
    return taken;
  }

  /**
   * Drains soon, off the caller's path: after a settlement has appended a record. Calls close
   * together share one drain; a drain that fails is tried again, less and less often, until
   * it succeeds.
   */
  nudge(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.schedule(this.gatherMs);
  }

  /**
   * Drains everything, then forgets the drainers (instances) that have nothing pending and
   * have been idle for a day: each instance joins the group under a name of its own.
   */
  async sweep(): Promise<number> {
    const taken = await this.drain();
    const consumers = (await this.redis.xinfo('CONSUMERS', this.key, LEDGER_GROUP)) as unknown[][];
    for (const info of consumers) {
      const field = (name: string) => info[info.indexOf(name) + 1];
      if (Number(field('pending')) === 0 && Number(field('idle')) > FORGET_IDLE_MS)
        await this.redis.xgroup('DELCONSUMER', this.key, LEDGER_GROUP, String(field('name')));
    }
    return taken;
  }

  /** Stops draining in the background (a drain under way finishes). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.drain().then(
        () => {
          this.outage.recovered();
          this.retryMs = RETRY_MIN_MS;
          this.running = undefined;
          if (this.again) {
            this.again = false;
            this.schedule(this.gatherMs);
          }
        },
        (error: unknown) => {
          this.outage.failed({ error: error instanceof Error ? error.message : String(error) });
          this.running = undefined;
          this.again = false;
          this.schedule(this.retryMs);
          this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
        },
      );
    }, ms);
    this.timer.unref();
  }

  private async createGroup(): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', this.key, LEDGER_GROUP, '0', 'MKSTREAM');
    } catch (error) {
      this.grouped = undefined;
      if (!String((error as Error).message).startsWith('BUSYGROUP')) throw error;
    }
  }

  private async next(): Promise<StreamEntry[]> {
    const own = await this.read('0');
    if (own.length > 0) return own;
    const [, claimed] = (await this.redis.xautoclaim(
      this.key,
      LEDGER_GROUP,
      this.consumer,
      this.claimIdleMs,
      '0-0',
      'COUNT',
      BATCH,
    )) as [string, StreamEntry[]];
    if (claimed.length > 0) return claimed;
    return this.read('>');
  }

  private async read(from: '0' | '>'): Promise<StreamEntry[]> {
    const reply = (await this.redis.xreadgroup(
      'GROUP',
      LEDGER_GROUP,
      this.consumer,
      'COUNT',
      BATCH,
      'STREAMS',
      this.key,
      from,
    )) as [string, StreamEntry[]][] | null;
    return reply?.[0]?.[1] ?? [];
  }
}

/** A stream entry's call id and record, or undefined when it is not one (or was deleted). */
function parseEntry([id, fields]: StreamEntry): LedgerEntry | undefined {
  if (!fields) return undefined;
  // Fields come as [name, value, name, value…].
  const field = (name: string) => {
    const at = fields.findIndex((f, i) => i % 2 === 0 && f === name);
    return at < 0 ? undefined : fields[at + 1];
  };
  const callId = field('call');
  let json: unknown;
  try {
    json = JSON.parse(field('record') ?? '');
  } catch {
    json = undefined;
  }
  const parsed = UsageRecord.safeParse(json);
  if (!callId || !parsed.success) {
    logger.error('usage ledger: entry is not a usage record', {
      id,
      issues: parsed.success ? 'no call id' : describeIssues(parsed.error),
    });
    return undefined;
  }
  return { callId, record: parsed.data };
}

let instance: LedgerDrainer | undefined;

/**
 * The instance's drainer, on its shared Redis connection, when REDIS_URL is set: without Redis
 * nothing goes through the stream (usage is written to Firestore directly).
 */
export function instanceLedgerDrainer(
  env: NodeJS.ProcessEnv = process.env,
): LedgerDrainer | undefined {
  const url = env.REDIS_URL?.trim();
  if (!url) return undefined;
  instance ??= new LedgerDrainer(instanceRedis(url), db, {
    key: ledgerKeyFromEnv(env),
    timeoutMs: policyFromEnv(env).storeTimeoutMs,
    gatherMs: Number(env.USAGE_LEDGER_GATHER_MS) || undefined,
  });
  return instance;
}
