// The usage ledger's way to Firestore. A call's settlement appends its usage record to a Redis
// stream (its user's shard's, one of GROUP_SHARDS, so that on Redis Cluster the stream shares
// the slot of the keys it is settled with) in the same script that charges its budgets
// (limits/lua-scripts.ts), so the answer
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
import { logger } from 'firebase-functions/logger';
import type { Firestore } from 'firebase-admin/firestore';
import { UsageRecord, describeIssues } from '@colonycraft/protocol';
import { withDeadline } from '../deadline.js';
import { Outage } from '../limits/outage.js';
import {
  groupTag,
  instanceRedis,
  ledgerPrefix,
  ledgerPrefixFromEnv,
  ledgerStream,
  ledgerStreams,
  redisTargetFromEnv,
  untilConnected,
  type RedisClient,
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
  /** The streams' prefix: `ledgerPrefix()` of the limit store whose settlements fill them. */
  prefix?: string;
  /** This drainer's name in the group; one per instance. */
  consumer?: string;
  /** The deadline of one batch's Firestore write. */
  timeoutMs?: number;
  claimIdleMs?: number;
  /** How long `nudge` waits to gather a batch. */
  gatherMs?: number;
}

export class LedgerDrainer {
  readonly prefix: string;
  readonly consumer: string;
  private readonly timeoutMs: number;
  private readonly claimIdleMs: number;
  private readonly gatherMs: number;
  /** By stream: its consumer group, created once. */
  private readonly grouped = new Map<string, Promise<void>>();
  private readonly outage = new Outage(
    'usage ledger: Firestore (records wait in Redis)',
    () => ledgerDrainMetrics.failedDrains++,
  );
  /** Streams nudged and not drained yet. */
  private readonly waiting = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private retryMs = RETRY_MIN_MS;

  constructor(
    private readonly redis: RedisClient,
    private readonly db: () => Firestore,
    options: LedgerDrainerOptions = {},
  ) {
    this.prefix = options.prefix ?? ledgerPrefix();
    this.consumer = options.consumer ?? `instance-${randomUUID()}`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.claimIdleMs = options.claimIdleMs ?? CLAIM_IDLE_MS;
    this.gatherMs = options.gatherMs ?? GATHER_MS;
  }

  /** The stream the settlements of `group` (a call's user) append to. */
  streamOf(group: string): string {
    return ledgerStream(this.prefix, groupTag(group));
  }

  /**
   * Moves one batch of `stream` to Firestore: this drainer's own unacknowledged records first,
   * then those another drainer has left idle too long, then new ones. Returns how many it took.
   */
  async drainOnce(stream: string): Promise<number> {
    await untilConnected(this.redis);
    await this.groupOf(stream);
    const entries = await this.next(stream);
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
      logger.error('usage ledger: a malformed record was set aside', { id, stream });
      await this.redis.xadd(`${stream}:malformed`, '*', ...fields!);
    }
    const ids = entries.map(([id]) => id);
    await this.redis
      .multi()
      .xack(stream, LEDGER_GROUP, ...ids)
      .xdel(stream, ...ids)
      .exec();
    ledgerDrainMetrics.drained += good.length;
    return entries.length;
  }

  /** Drains `stream` until it has nothing for this drainer; returns how many records it took. */
  async drain(stream: string): Promise<number> {
    let taken = 0;
    for (let n = await this.drainOnce(stream); n > 0; n = await this.drainOnce(stream)) taken += n;
    return taken;
  }

  /**
   * Drains every stream, then forgets the drainers (instances) that have nothing pending and
   * have been idle for a day: each instance joins the groups under a name of its own.
   */
  async sweep(): Promise<number> {
    let taken = 0;
    for (const stream of ledgerStreams(this.prefix)) {
      taken += await this.drain(stream);
      const consumers = (await this.redis.xinfo('CONSUMERS', stream, LEDGER_GROUP)) as unknown[][];
      for (const info of consumers) {
        const field = (name: string) => info[info.indexOf(name) + 1];
        if (Number(field('pending')) === 0 && Number(field('idle')) > FORGET_IDLE_MS)
          await this.redis.xgroup('DELCONSUMER', stream, LEDGER_GROUP, String(field('name')));
      }
    }
    return taken;
  }

  /**
   * Drains `group`'s stream soon, off the caller's path: after a settlement has appended a
   * record to it. Calls close together share one drain; a drain that fails is tried again,
   * less and less often, until it succeeds.
   */
  nudge(group: string): void {
    this.waiting.add(this.streamOf(group));
    if (!this.running) this.schedule(this.gatherMs);
  }

  /** Stops draining in the background (a drain under way finishes). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => void this.drainWaiting(), ms);
    this.timer.unref();
  }

  private async drainWaiting(): Promise<void> {
    this.timer = undefined;
    this.running = true;
    const streams = [...this.waiting];
    this.waiting.clear();
    try {
      for (const stream of streams) await this.drain(stream);
      this.outage.recovered();
      this.retryMs = RETRY_MIN_MS;
      this.running = false;
      if (this.waiting.size > 0) this.schedule(this.gatherMs);
    } catch (error) {
      this.outage.failed({ error: error instanceof Error ? error.message : String(error) });
      for (const stream of streams) this.waiting.add(stream);
      this.running = false;
      this.schedule(this.retryMs);
      this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
    }
  }

  private groupOf(stream: string): Promise<void> {
    let grouped = this.grouped.get(stream);
    if (!grouped) {
      grouped = this.redis.xgroup('CREATE', stream, LEDGER_GROUP, '0', 'MKSTREAM').then(
        () => undefined,
        (error: unknown) => {
          if (String((error as Error).message).startsWith('BUSYGROUP')) return;
          this.grouped.delete(stream);
          throw error;
        },
      );
      this.grouped.set(stream, grouped);
    }
    return grouped;
  }

  private async next(stream: string): Promise<StreamEntry[]> {
    const own = await this.read(stream, '0');
    if (own.length > 0) return own;
    const [, claimed] = (await this.redis.xautoclaim(
      stream,
      LEDGER_GROUP,
      this.consumer,
      this.claimIdleMs,
      '0-0',
      'COUNT',
      BATCH,
    )) as [string, StreamEntry[]];
    if (claimed.length > 0) return claimed;
    return this.read(stream, '>');
  }

  private async read(stream: string, from: '0' | '>'): Promise<StreamEntry[]> {
    const reply = (await this.redis.xreadgroup(
      'GROUP',
      LEDGER_GROUP,
      this.consumer,
      'COUNT',
      BATCH,
      'STREAMS',
      stream,
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
 * The instance's drainer, on its shared Redis connection, when there is one: without Redis
 * nothing goes through the stream (usage is written to Firestore directly).
 */
export function instanceLedgerDrainer(
  env: NodeJS.ProcessEnv = process.env,
): LedgerDrainer | undefined {
  const target = redisTargetFromEnv(env);
  if (!target) return undefined;
  instance ??= new LedgerDrainer(instanceRedis(target), db, {
    prefix: ledgerPrefixFromEnv(env),
    timeoutMs: policyFromEnv(env).storeTimeoutMs,
    gatherMs: Number(env.USAGE_LEDGER_GATHER_MS) || undefined,
  });
  return instance;
}
