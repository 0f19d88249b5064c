import { randomUUID } from 'node:crypto';
import type { Redis } from '@upstash/redis';
import { averageHandleSeconds, RECENT_HANDLE_SAMPLES } from '../../domain/queue';
import type { PresenceSeen } from '../../domain/presence-recovery';
import type { AgentAvailability, AgentStatus } from '../../domain/routing';
import type { AgentClaims, AgentPresence, ClaimOutcome, PresenceUpdate, QueueOutlook } from '../../ports/agent-presence';
import { DependencyError } from '../../ports/errors';
import { connectionsOfRows, FILL_WINDOW_MS } from './directory-entries';
import {
  AGENT_VIEW,
  CLAIM_AGENT,
  CLAIM_BEST,
  LIST_ONLINE,
  OUTLOOK,
  RELEASE,
  REPAIR_CLAIMS,
  SET_STATUS,
  SNAPSHOT,
  SWEEP_EXPIRED,
  TOUCH,
} from './scripts';

export class HotStateError extends DependencyError {
  override readonly name = 'HotStateError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('upstash-redis', message, options);
  }
}

const STATUSES: readonly AgentStatus[] = ['online', 'away', 'offline'];
const asStatus = (value: unknown): AgentStatus => (STATUSES.includes(value as AgentStatus) ? (value as AgentStatus) : 'offline');
const splitSkills = (value: unknown): string[] =>
  String(value ?? '')
    .split(',')
    .filter((skill) => skill.length > 0);
const text = (value: unknown): string => (value === null || value === undefined ? '' : String(value));
const epochMs = (iso: string): number => Date.parse(iso);

export interface UpstashPresenceOptions {
  readonly defaultSkill: string;
  /** How long presence lasts without a heartbeat. */
  readonly graceSeconds: number;
  readonly prefix?: string;
}

/** Agents' routing state in Upstash Redis; see scripts.ts for the keys and the scripts. */
export class UpstashAgentPresence implements AgentPresence {
  private readonly prefix: string;

  constructor(
    private readonly redis: () => Promise<Redis>,
    private readonly options: UpstashPresenceOptions,
  ) {
    this.prefix = options.prefix ?? 'parley:';
  }

  private agentKey(agentId: string): string {
    return `${this.prefix}agent:${agentId}`;
  }

  private onlineSet(skill: string): string {
    return `${this.prefix}online:${skill === this.options.defaultSkill ? '*' : skill}`;
  }

  private async run<T>(what: string, call: (redis: Redis) => Promise<T>): Promise<T> {
    try {
      return await call(await this.redis());
    } catch (error) {
      throw new HotStateError(`Redis ${what} failed`, { cause: error });
    }
  }

  private script<T>(what: string, script: string, keys: string[], args: Array<string | number>): Promise<T> {
    return this.run(what, (redis) => redis.eval<string[], T>(script, keys, args.map(String)));
  }

  async setStatus(update: PresenceUpdate, now: string, options: { live?: boolean; onlyIfForgotten?: boolean } = {}): Promise<boolean> {
    const written = await this.script<unknown>(
      'setStatus',
      SET_STATUS,
      [this.agentKey(update.id)],
      [
        update.id,
        update.name,
        update.status,
        update.skills.join(','),
        update.capacity,
        now,
        this.prefix,
        this.options.graceSeconds * 1000,
        options.live === false ? '0' : '1',
        options.onlyIfForgotten ? '1' : '0',
      ],
    );
    return Number(written) === 1;
  }

  async touch(agentId: string, now: string): Promise<PresenceSeen> {
    const seen = await this.script<unknown>(
      'touch',
      TOUCH,
      [this.agentKey(agentId)],
      [this.prefix, agentId, now, this.options.graceSeconds * 1000],
    );
    return seen === 'unknown' || seen === 'lapsed' ? seen : 'known';
  }

  async get(agentId: string): Promise<AgentAvailability | undefined> {
    const row = await this.script<unknown[]>('get', AGENT_VIEW, [this.agentKey(agentId)], [this.prefix, agentId]);
    const [name, status, skills, capacity, idleSince, load, alive, statusSince] = row;
    if (!status) return undefined;
    const live = Number(alive) === 1;
    // A lapsed presence not yet swept: offline since some moment the hash does not know.
    const since = live || status === 'offline' ? text(statusSince) : '';
    return {
      id: agentId,
      name: text(name) || agentId,
      // Without live presence an agent counts as offline, whatever status it last set.
      status: live ? asStatus(status) : 'offline',
      skills: splitSkills(skills),
      load: Number(load ?? 0),
      capacity: Number(capacity ?? 0),
      idleSince: text(idleSince),
      ...(since ? { statusSince: since } : {}),
    };
  }

  async listOnline(): Promise<AgentAvailability[]> {
    const rows = await this.script<unknown[][]>('listOnline', LIST_ONLINE, [`${this.prefix}online:*`], [this.prefix]);
    return rows.map(([id, name, skills, load, capacity, idleSince, statusSince]) => ({
      id: text(id),
      name: text(name) || text(id),
      status: 'online' as const,
      skills: splitSkills(skills),
      load: Number(load ?? 0),
      capacity: Number(capacity ?? 0),
      idleSince: text(idleSince),
      ...(text(statusSince) ? { statusSince: text(statusSince) } : {}),
    }));
  }

  async outlook(skill: string): Promise<QueueOutlook> {
    const [serving, total, count] = await this.script<unknown[]>('outlook', OUTLOOK, [this.onlineSet(skill)], [this.prefix, skill]);
    return { agentsServing: Number(serving ?? 0), averageHandleSeconds: averageHandleSeconds(Number(total ?? 0), Number(count ?? 0)) };
  }

  async claimBest(
    skill: string,
    claim: string,
    now: string,
    options: { readonly readConnectionsOf?: readonly string[] } = {},
  ): Promise<ClaimOutcome> {
    const directory = options.readConnectionsOf ? [randomUUID(), FILL_WINDOW_MS, ...options.readConnectionsOf] : [];
    const row = await this.script<unknown[]>(
      'claimBest',
      CLAIM_BEST,
      [this.onlineSet(skill)],
      [this.prefix, claim, now, epochMs(now), skill, ...directory],
    );
    const [id, name, reused, serving, total, count, rows] = row;
    const outlook = {
      agentsServing: Number(serving ?? 0),
      averageHandleSeconds: averageHandleSeconds(Number(total ?? 0), Number(count ?? 0)),
    };
    const agentId = text(id);
    if (!agentId) return { ...outlook, reused: false };
    const claimed = { ...outlook, agent: { id: agentId, name: text(name) || agentId }, reused: Number(reused) === 1 };
    if (!Array.isArray(rows)) return claimed;
    const { known, fillTokens } = connectionsOfRows(rows as unknown[][]);
    return { ...claimed, connections: { known, fillTokens } };
  }

  async claimAgent(agentId: string, claim: string, now: string): Promise<boolean> {
    const claimed = await this.script<number>(
      'claimAgent',
      CLAIM_AGENT,
      [this.agentKey(agentId)],
      [this.prefix, agentId, claim, now, epochMs(now)],
    );
    return Number(claimed) === 1;
  }

  async release(agentId: string, claim: string, now: string, handled?: { skill: string; seconds: number }): Promise<boolean> {
    const removed = await this.script<number>(
      'release',
      RELEASE,
      [this.agentKey(agentId)],
      [
        this.prefix,
        agentId,
        claim,
        now,
        handled?.skill ?? '',
        handled ? Math.max(0, Math.round(handled.seconds)) : '',
        RECENT_HANDLE_SAMPLES,
      ],
    );
    return Number(removed) === 1;
  }

  async sweepExpired(now?: string): Promise<string[]> {
    const ids = await this.script<unknown[]>('sweepExpired', SWEEP_EXPIRED, [`${this.prefix}online:*`], [this.prefix, now ?? '']);
    return ids.map(text);
  }

  async snapshot(): Promise<AgentClaims[]> {
    const rows = await this.script<unknown[][]>('snapshot', SNAPSHOT, [`${this.prefix}agents`], [this.prefix]);
    return rows.map(([id, status, capacity, claims, known]) => ({
      id: text(id),
      status: asStatus(status),
      known: Number(known) === 1,
      capacity: Number(capacity ?? 0),
      claims: new Map(
        text(claims)
          .split(',')
          .filter((entry) => entry.length > 0)
          .map((entry) => {
            const at = entry.lastIndexOf('=');
            return [entry.slice(0, at), Number(entry.slice(at + 1))] as const;
          }),
      ),
    }));
  }

  async repairClaims(
    agentId: string,
    changes: { add: readonly string[]; remove: readonly string[]; removeBeforeMs: number },
    now: string,
  ): Promise<{ added: number; removed: number }> {
    if (changes.add.length === 0 && changes.remove.length === 0) return { added: 0, removed: 0 };
    const [added, removed] = await this.script<unknown[]>(
      'repairClaims',
      REPAIR_CLAIMS,
      [`${this.prefix}held:${agentId}`],
      [changes.removeBeforeMs, epochMs(now), changes.add.length, ...changes.add, ...changes.remove],
    );
    return { added: Number(added ?? 0), removed: Number(removed ?? 0) };
  }
}
