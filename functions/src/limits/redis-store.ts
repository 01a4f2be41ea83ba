// The Redis limit store: buckets, leases and budgets shared by every instance, each operation
// one Lua script (lua-scripts.ts) sent with EVALSHA, so one round trip and atomic.
//
// Keys: `cc:rl:{sN}:{principal}:req|tok|lease|daily|monthly`, and `cc:rl:ledger:{sN}`, the
// stream of usage records that settlements append to. Every key a call's scripts touch (its
// user's, its API key's, the ledger stream) carries the same hash tag, `{sN}`: N is one of
// GROUP_SHARDS, picked by hashing the user the call is made for (its group). So on Redis
// Cluster each script's keys share a slot (no CROSSSLOT), the keyspace still spreads over
// GROUP_SHARDS slots, and the ledger is GROUP_SHARDS streams a drainer can list.
import { Cluster, Redis } from 'ioredis';
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

/** A connection to one Redis, or to a Redis Cluster. */
export type RedisClient = Redis | Cluster;

/**
 * How many hash tags the limiter's keys (and the ledger's streams) are spread over: enough for
 * a cluster of dozens of shards to share the load, few enough for a drainer to visit them all.
 */
export const GROUP_SHARDS = 64;

/** The hash tag of a group's keys: `s` and its shard, by FNV-1a of the group id. */
export function groupTag(group: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < group.length; i += 1) {
    hash ^= group.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return `s${(hash >>> 0) % GROUP_SHARDS}`;
}

/**
 * Where the shared Redis is: REDIS_CLUSTER_NODES (`host:port,host:port`, a Redis Cluster) as
 * `cluster://host:port,host:port`, else REDIS_URL; undefined when neither is set.
 */
export function redisTargetFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const nodes = env.REDIS_CLUSTER_NODES?.trim();
  if (nodes) return `${CLUSTER_SCHEME}${nodes}`;
  return env.REDIS_URL?.trim() || undefined;
}

const CLUSTER_SCHEME = 'cluster://';

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
export function createRedisClient(
  target: string,
  options: { autoPipelining?: boolean } = {},
): RedisClient {
  const failFast = {
    connectTimeout: 1_000,
    commandTimeout: 1_000,
    maxRetriesPerRequest: 1,
  };
  const retry = (attempt: number) => Math.min(attempt * 200, 2_000);
  const shared = {
    lazyConnect: true,
    enableOfflineQueue: false,
    enableAutoPipelining: options.autoPipelining ?? false,
  };
  const client = target.startsWith(CLUSTER_SCHEME)
    ? new Cluster(
        target
          .slice(CLUSTER_SCHEME.length)
          .split(',')
          .map((node) => {
            const [host, port] = node.trim().split(':');
            return { host: host!, port: Number(port) };
          }),
        { ...shared, clusterRetryStrategy: retry, redisOptions: failFast },
      )
    : new Redis(target, { ...shared, ...failFast, retryStrategy: retry });
  // Connection errors surface on the commands that fail; the resilient store logs those.
  client.on('error', () => {});
  return client;
}

const instanceClients = new Map<string, RedisClient>();

/**
 * The instance's one connection to Redis at `url`, shared by the rate limiter and the token
 * denylist. It pipelines automatically: the commands a call sends in one tick (the denylist
 * check and the limiter's decision) leave in one write and their replies arrive in one read,
 * so the call waits for Redis once, not once per command.
 */
export function instanceRedis(target: string): RedisClient {
  let client = instanceClients.get(target);
  if (!client || client.status === 'end') {
    client = createRedisClient(target, { autoPipelining: true });
    instanceClients.set(target, client);
  }
  return client;
}

const connecting = new WeakMap<RedisClient, Promise<void>>();

/**
 * With the offline queue off, a command sent before the first connection is up would fail:
 * this returns what to wait for until the client's first connection is ready (starting it if
 * nobody has, waiting for it if somebody has), or nothing once it is, so that a caller sends
 * its command in the same tick. Later outages fail fast, which is the point.
 */
export function untilConnected(redis: RedisClient): Promise<void> | undefined {
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
 * The usage ledger's streams start with this: settlements append call records to
 * `${ledgerPrefix}{sN}` (their group's tag), usage/ledger-drain.ts moves them to Firestore.
 */
export const ledgerPrefix = (keyPrefix = DEFAULT_KEY_PREFIX): string => `${keyPrefix}ledger:`;

/** The ledger stream of tag `tag` (`sN`). */
export const ledgerStream = (prefix: string, tag: string): string => `${prefix}{${tag}}`;

/** Every ledger stream under `prefix`, one per shard. */
export const ledgerStreams = (prefix: string): string[] =>
  Array.from({ length: GROUP_SHARDS }, (_, n) => ledgerStream(prefix, `s${n}`));

/**
 * The ledger's prefix in this deployment: USAGE_LEDGER_PREFIX, for deployments (or test
 * gateways) that share one Redis but not one Firestore, else the default.
 */
export const ledgerPrefixFromEnv = (env: NodeJS.ProcessEnv = process.env): string =>
  env.USAGE_LEDGER_PREFIX?.trim() || ledgerPrefix();

/**
 * How long a release's mark outlives it: longer than a decision sent before it can still
 * arrive (the client resends an unanswered command once it has reconnected).
 */
const RELEASE_MARK_TTL_MS = 10 * 60_000;

const budget = (value: number | undefined): number => value ?? -1;

/** A request's group: as given, else its first principal (a settlement with none: its lease). */
const groupOf = (r: {
  group?: string | undefined;
  principals: readonly PrincipalLimits[];
  leaseId: string;
}): string => r.group ?? r.principals[0]?.id ?? r.leaseId;
const clockArg = (now: number | undefined): Arg => (now === undefined ? '' : Math.floor(now));

export class RedisLimitStore implements LimitStore {
  private readonly redis: RedisClient & LimitCommands;

  private readonly ledger: string;

  constructor(
    redis: RedisClient,
    private readonly keyPrefix = DEFAULT_KEY_PREFIX,
    /** The usage ledger's streams' prefix; `ledgerPrefix(keyPrefix)` unless given. */
    options: { ledgerPrefix?: string } = {},
  ) {
    this.ledger = options.ledgerPrefix ?? ledgerPrefix(keyPrefix);
    redis.defineCommand('ccLimitAdmit', { lua: ADMIT_SCRIPT });
    redis.defineCommand('ccLimitSettle', { lua: SETTLE_SCRIPT });
    redis.defineCommand('ccLimitRenew', { lua: RENEW_SCRIPT });
    this.redis = redis as RedisClient & LimitCommands;
  }

  private base(id: string, group: string): string {
    return `${this.keyPrefix}{${groupTag(group)}}:${id}:`;
  }

  /** The keys of one principal decided in `group`, in the order the scripts expect. */
  keys(id: string, group = id) {
    const base = this.base(id, group);
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
  releasedKey(id: string, leaseId: string, group = id): string {
    return `${this.base(id, group)}released:${leaseId}`;
  }

  /** The ledger stream a settlement in `group` appends to. */
  ledgerStream(group: string): string {
    return ledgerStream(this.ledger, groupTag(group));
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
    const group = groupOf(request);
    const keys: string[] = [];
    const args: Arg[] = [
      clockArg(request.now),
      request.leaseId,
      request.leaseTtlMs,
      request.tokens,
      request.costMicroUsd,
    ];
    for (const { id, limits } of request.principals) {
      const k = this.keys(id, group);
      keys.push(
        k.requests,
        k.tokens,
        k.leases,
        k.daily,
        k.monthly,
        this.releasedKey(id, request.leaseId, group),
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
    const group = groupOf(request);
    const keys: string[] = [this.ledgerStream(group)];
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
      const k = this.keys(id, group);
      keys.push(
        k.tokens,
        k.leases,
        k.daily,
        k.monthly,
        this.releasedKey(id, request.leaseId, group),
      );
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
    const group = groupOf(request);
    const keys = request.principals.map(({ id }: PrincipalLimits) => this.keys(id, group).leases);
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
