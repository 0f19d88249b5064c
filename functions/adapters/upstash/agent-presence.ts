import type { Redis } from '@upstash/redis';
import type { AgentAvailability, AgentStatus } from '../../domain/routing';
import type { AgentPresence, PresenceUpdate } from '../../ports/agent-presence';
import { DependencyError } from '../../ports/errors';
import { CLAIM, LIST_ONLINE, RELEASE, SET_STATUS } from './scripts';

export class HotStateError extends DependencyError {
  override readonly name = 'HotStateError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('upstash-redis', message, options);
  }
}

const AGENT_FIELDS = ['name', 'status', 'skills', 'load', 'capacity', 'idleSince'] as const;
const STATUSES: readonly AgentStatus[] = ['online', 'away', 'offline'];
const asStatus = (value: string): AgentStatus => (STATUSES.includes(value as AgentStatus) ? (value as AgentStatus) : 'offline');
const splitSkills = (value: string): string[] => value.split(',').filter((skill) => skill.length > 0);

/** Agents' routing state in Upstash Redis; every read-modify-write is one Lua script. */
export class UpstashAgentPresence implements AgentPresence {
  constructor(
    private readonly redis: () => Promise<Redis>,
    private readonly defaultSkill: string,
    private readonly prefix = 'parley:',
  ) {}

  private agentKey(agentId: string): string {
    return `${this.prefix}agent:${agentId}`;
  }

  private async run<T>(what: string, call: (redis: Redis) => Promise<T>): Promise<T> {
    try {
      return await call(await this.redis());
    } catch (error) {
      throw new HotStateError(`Redis ${what} failed`, { cause: error });
    }
  }

  async setStatus(update: PresenceUpdate, now: string): Promise<void> {
    await this.run('setStatus', (redis) =>
      redis.eval(SET_STATUS, [this.agentKey(update.id)], [
        update.id,
        update.name,
        update.status,
        update.skills.join(','),
        String(update.capacity),
        now,
        this.prefix,
      ]),
    );
  }

  async touch(agentId: string, now: string): Promise<void> {
    await this.run('touch', (redis) => redis.hset(this.agentKey(agentId), { seenAt: now }));
  }

  async onlineFor(skill: string): Promise<AgentAvailability[]> {
    const set = `${this.prefix}online:${skill === this.defaultSkill ? '*' : skill}`;
    const rows = await this.run('onlineFor', (redis) =>
      redis.eval<string[], string[][]>(LIST_ONLINE, [set], [`${this.prefix}agent:`]),
    );
    return rows.map(([id = '', name = '', status = '', skills = '', load = '0', capacity = '0', idleSince = '']) => ({
      id,
      name: name || id,
      status: asStatus(status),
      skills: splitSkills(skills),
      load: Number(load),
      capacity: Number(capacity),
      idleSince,
    }));
  }

  async get(agentId: string): Promise<AgentAvailability | undefined> {
    // Without automatic deserialization HMGET answers a plain array, in field order.
    const raw: unknown = await this.run('get', (redis) =>
      redis.hmget(this.agentKey(agentId), ...AGENT_FIELDS),
    );
    const values = (Array.isArray(raw) ? raw : []) as Array<string | null>;
    const [name, status, skills, load, capacity, idleSince] = values;
    if (!status) return undefined;
    return {
      id: agentId,
      name: name ?? agentId,
      status: asStatus(status),
      skills: splitSkills(skills ?? ''),
      load: Number(load ?? 0),
      capacity: Number(capacity ?? 0),
      idleSince: idleSince ?? '',
    };
  }

  async claim(agentId: string, now: string): Promise<boolean> {
    const claimed = await this.run('claim', (redis) => redis.eval<string[], number>(CLAIM, [this.agentKey(agentId)], [now]));
    return Number(claimed) === 1;
  }

  async release(agentId: string, now: string): Promise<void> {
    await this.run('release', (redis) => redis.eval(RELEASE, [this.agentKey(agentId)], [now]));
  }
}
