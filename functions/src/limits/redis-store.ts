// The Redis limit store: buckets, leases and budgets shared by every instance, each operation
// one Lua script (lua-scripts.ts) sent with EVALSHA, so one round trip and atomic.
//
// Keys: `cc:rl:{principal}:req|tok|lease|daily|monthly`, and `cc:rl:ledger`, the stream of
// usage records that settlements append to. The braces are a hash tag, so all of
// one principal's keys share a cluster slot. A decision for a user and an API key touches two
// principals in one script: fine on one node (Memorystore's standard tier), but on Redis
// Cluster the two would have to share a tag, e.g. the user's.
import { Redis } from 'ioredis';
import { LimitName, type LimitRefusal } from '@colonycraft/protocol';
import { once } from 'node:events';
import {
  StoreUnreachable,
  type LimitStore,
  type PrincipalLimits,
  type StoreAdmit,
  type StoreAdmitResult,
  type StoreRelease,
  type StoreRenew,
  type StoreSettle,
} from './limiter.js';
import { ADMIT_SCRIPT, RENEW_SCRIPT, SETTLE_SCRIPT } from './lua-scripts.js';

export const DEFAULT_KEY_PREFIX = 'cc:rl:';

type Arg = string | number;
/** The commands `defineCommand` adds; ioredis cannot type them itself. */
interface LimitCommands {
  ccLimitAdmit(numKeys: number, ...args: Arg[]): Promise<unknown[]>;
  ccLimitSettle(numKeys: number, ...args: Arg[]): Promise<unknown>;
  ccLimitRenew(numKeys: number, ...args: Arg[]): Promise<number>;
}

/**
 * A client that fails fast when Redis is away, so the failure policy decides at once instead
 * of calls queueing behind a reconnect: no offline queue, one retry, short timeouts.
 */
export function createRedisClient(url: string, options: { autoPipelining?: boolean } = {}): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    commandTimeout: 1_000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    enableAutoPipelining: options.autoPipelining ?? false,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  // Connection errors surface on the commands that fail; the resilient store logs those.
  client.on('error', () => {});
  return client;
}

const instanceClients = new Map<string, Redis>();

/**
 * The instance's one connection to Redis at `url`, shared by the rate limiter and the token
 * denylist. It pipelines automatically: the commands a call sends in one tick (the denylist
 * check and the limiter's decision) leave in one write and their replies arrive in one read,
 * so the call waits for Redis once, not once per command.
 */
export function instanceRedis(url: string): Redis {
  let client = instanceClients.get(url);
  if (!client || client.status === 'end') {
    client = createRedisClient(url, { autoPipelining: true });
    instanceClients.set(url, client);
  }
  return client;
}

const connecting = new WeakMap<Redis, Promise<void>>();

/**
 * With the offline queue off, a command sent before the first connection is up would fail:
 * this returns what to wait for until the client's first connection is ready (starting it if
 * nobody has, waiting for it if somebody has), or nothing once it is, so that a caller sends
 * its command in the same tick. Later outages fail fast, which is the point.
 */
export function untilConnected(redis: Redis): Promise<void> | undefined {
  if (redis.status === 'ready') return undefined;
  let first = connecting.get(redis);
  if (!first) {
    if (redis.status === 'wait') first = redis.connect();
    else if (redis.status === 'connecting' || redis.status === 'connect')
      first = once(redis, 'ready').then(() => undefined);
    else return undefined;
    connecting.set(redis, first);
  }
  return first;
}

/**
 * The usage ledger's stream: settlements append call records to it, usage/ledger-drain.ts
 * moves them to Firestore.
 */
export const ledgerKey = (keyPrefix = DEFAULT_KEY_PREFIX): string => `${keyPrefix}ledger`;

/**
 * The ledger's stream of this deployment: USAGE_LEDGER_STREAM, for deployments (or test
 * gateways) that share one Redis but not one Firestore, else the default.
 */
export const ledgerKeyFromEnv = (env: NodeJS.ProcessEnv = process.env): string =>
  env.USAGE_LEDGER_STREAM?.trim() || ledgerKey();

/** Principal ids go inside a hash tag: escape the braces (and `%`, so it stays reversible). */
function tag(id: string): string {
  return id.replace(/[%{}]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * How long a release's mark outlives it: longer than a decision sent before it can still
 * arrive (the client resends an unanswered command once it has reconnected).
 */
const RELEASE_MARK_TTL_MS = 10 * 60_000;

const budget = (value: number | undefined): number => value ?? -1;
const clockArg = (now: number | undefined): Arg => (now === undefined ? '' : Math.floor(now));

export class RedisLimitStore implements LimitStore {
  private readonly redis: Redis & LimitCommands;

  private readonly ledger: string;

  constructor(
    redis: Redis,
    private readonly keyPrefix = DEFAULT_KEY_PREFIX,
    /** The usage ledger's stream; `ledgerKey(keyPrefix)` unless given. */
    options: { ledgerKey?: string } = {},
  ) {
    this.ledger = options.ledgerKey ?? ledgerKey(keyPrefix);
    redis.defineCommand('ccLimitAdmit', { lua: ADMIT_SCRIPT });
    redis.defineCommand('ccLimitSettle', { lua: SETTLE_SCRIPT });
    redis.defineCommand('ccLimitRenew', { lua: RENEW_SCRIPT });
    this.redis = redis as Redis & LimitCommands;
  }

  /** The keys of one principal, in the order the scripts expect. */
  keys(id: string) {
    const base = `${this.keyPrefix}{${tag(id)}}:`;
    const key = (name: string) => base + name;
    return {
      requests: key('req'),
      tokens: key('tok'),
      leases: key('lease'),
      daily: key('daily'),
      monthly: key('monthly'),
    };
  }

  /** Set when a lease is released: its decision, should it run after, takes nothing. */
  releasedKey(id: string, leaseId: string): string {
    return `${this.keyPrefix}{${tag(id)}}:released:${leaseId}`;
  }

  /** Waits for the first connection; a client that is not connected is not sent anything. */
  private async connected(): Promise<void> {
    try {
      await untilConnected(this.redis);
    } catch (error) {
      throw new StoreUnreachable(`Redis: ${(error as Error).message}`, { cause: error });
    }
    if (this.redis.status !== 'ready')
      throw new StoreUnreachable(`Redis: not connected (${this.redis.status})`);
  }

  async admit(request: StoreAdmit): Promise<StoreAdmitResult> {
    const keys: string[] = [];
    const args: Arg[] = [
      clockArg(request.now),
      request.leaseId,
      request.leaseTtlMs,
      request.tokens,
      request.costMicroUsd,
    ];
    for (const { id, limits } of request.principals) {
      const k = this.keys(id);
      keys.push(
        k.requests,
        k.tokens,
        k.leases,
        k.daily,
        k.monthly,
        this.releasedKey(id, request.leaseId),
      );
      args.push(
        limits.requests.capacity,
        limits.requests.refillPerMinute,
        limits.tokens.capacity,
        limits.tokens.refillPerMinute,
        limits.concurrency,
        budget(limits.dailyBudgetMicroUsd),
        budget(limits.monthlyBudgetMicroUsd),
      );
    }
    await this.connected();
    const reply = (await this.redis.ccLimitAdmit(keys.length, ...keys, ...args)).map((v) =>
      typeof v === 'number' ? v : String(v),
    );
    const [ok, at] = reply as [number, number];
    if (ok === 2) throw new Error(`lease ${request.leaseId} was released before its decision`);
    if (ok === 1) {
      const [, , limit, remaining, resetMs] = reply as number[];
      return { ok: true, at, status: { limit: limit!, remaining: remaining!, resetMs: resetMs! } };
    }
    const [, , name, index, retryAfterMs, resetAt, limitValue, remaining] = reply;
    const refusal: LimitRefusal = {
      limit: LimitName.parse(name),
      principal: request.principals[Number(index) - 1]?.id,
      retryAfterMs: Number(retryAfterMs),
      resetAt: Number(resetAt),
      limitValue: Number(limitValue),
      remaining: Number(remaining),
    };
    return { ok: false, at, refusal };
  }

  async settle(request: StoreSettle): Promise<boolean> {
    await this.correct(request);
    return request.journal !== undefined;
  }

  async release(request: StoreRelease): Promise<void> {
    const { tokens, costMicroUsd, ...lease } = request;
    await this.correct(
      { ...lease, extraTokens: -tokens, extraCostMicroUsd: -costMicroUsd },
      RELEASE_MARK_TTL_MS,
    );
  }

  /** The settle script; with `markTtlMs`, a release. */
  private async correct(request: StoreSettle, markTtlMs?: number): Promise<void> {
    const keys: string[] = [this.ledger];
    const args: Arg[] = [
      clockArg(request.now),
      request.leaseId,
      clockArg(request.admittedAt),
      request.extraTokens,
      request.extraCostMicroUsd,
      markTtlMs ?? '',
      request.journal?.callId ?? '',
      request.journal?.record ?? '',
    ];
    for (const { id, limits } of request.principals) {
      const k = this.keys(id);
      keys.push(k.tokens, k.leases, k.daily, k.monthly, this.releasedKey(id, request.leaseId));
      args.push(
        limits.tokens.capacity,
        limits.tokens.refillPerMinute,
        limits.dailyBudgetMicroUsd === undefined ? 0 : 1,
        limits.monthlyBudgetMicroUsd === undefined ? 0 : 1,
      );
    }
    await this.connected();
    await this.redis.ccLimitSettle(keys.length, ...keys, ...args);
  }

  async renew(request: StoreRenew): Promise<boolean> {
    const keys = request.principals.map(({ id }: PrincipalLimits) => this.keys(id).leases);
    await this.connected();
    const renewed = await this.redis.ccLimitRenew(
      keys.length,
      ...keys,
      clockArg(request.now),
      request.leaseId,
      request.leaseTtlMs,
    );
    return renewed === keys.length;
  }

  /** Closes the client it was given: the store owns it, even an instance's shared one. */
  async close(): Promise<void> {
    if (this.redis.status === 'end') return;
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => {});
    this.redis.disconnect();
  }
}
