import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { hashPassword } from '../../functions/adapters/crypto/password-hasher';
import { DynamoAgentDirectory } from '../../functions/adapters/dynamodb/agent-directory';
import { DynamoCredentialStore } from '../../functions/adapters/dynamodb/credential-store';
import { localDynamoClient } from '../../local/dynamodb/dynalite-server';
import { postJson } from '../../local/tools/raw-client';
import type { ChaosTarget } from './chaos-target';
import { StaffTokens } from './staff-tokens';

const STAFF_PASSWORD = 'chaos-agent-password';

/** An admin of an external stack, who creates the run's agents and supervisor (`POST /v1/agents`). */
export interface AdminLogin {
  readonly email: string;
  readonly password: string;
}

export interface ChaosStaff {
  readonly agents: readonly { readonly id: string; readonly session: StaffTokens }[];
  /** Reads the roster, the queues and every conversation's log. */
  readonly supervisor: StaffTokens;
}

interface StaffMember {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: 'agent' | 'supervisor';
  readonly capacity: number;
}

/**
 * The run's agents (no skills: they serve the default queue) and one supervisor, signed in.
 * On the local stack they are written to DynamoDB directly; on an external stack an admin
 * creates them, with ids unique to the run so runs never share agents.
 */
export async function provisionStaff(
  target: ChaosTarget,
  options: { agents: number; capacity: number; seed: number; admin?: AdminLogin | undefined },
): Promise<ChaosStaff> {
  const prefix = target.kind === 'local' ? 'chaos' : `chaos-${options.seed}-${Date.now().toString(36)}`;
  const members: StaffMember[] = [
    ...Array.from({ length: options.agents }, (_, index) => ({
      id: `${prefix}-agent-${index}`,
      email: `${prefix}.agent${index}@example.com`,
      name: `Agent ${index}`,
      role: 'agent' as const,
      capacity: options.capacity,
    })),
    { id: `${prefix}-supervisor`, email: `${prefix}.supervisor@example.com`, name: 'Chaos supervisor', role: 'supervisor', capacity: 1 },
  ];
  if (target.local) {
    const documents = DynamoDBDocumentClient.from(localDynamoClient(target.local.endpoints.dynamodb));
    const directory = new DynamoAgentDirectory(documents, target.local.tableName);
    const credentials = new DynamoCredentialStore(documents, target.local.tableName);
    const passwordHash = await hashPassword(STAFF_PASSWORD);
    for (const member of members) {
      await directory.put({ ...member, skills: [] });
      await credentials.setPasswordHash(member.id, passwordHash);
    }
  } else {
    if (!options.admin) throw new Error('chaos: an external stack needs an admin login (CHAOS_ADMIN_EMAIL, CHAOS_ADMIN_PASSWORD)');
    const admin = await StaffTokens.signIn(target.httpUrl, options.admin.email, options.admin.password);
    for (const member of members) {
      const created = await postJson(
        `${target.httpUrl}/v1/agents`,
        { ...member, password: STAFF_PASSWORD, skills: [] },
        await admin.token(),
      );
      if (created.status !== 201)
        throw new Error(`chaos: creating ${member.id} answered ${created.status}: ${JSON.stringify(created.body)}`);
    }
  }
  const sessions = await Promise.all(members.map((member) => StaffTokens.signIn(target.httpUrl, member.email, STAFF_PASSWORD)));
  return {
    agents: members.slice(0, -1).map((member, index) => ({ id: member.id, session: sessions[index]! })),
    supervisor: sessions.at(-1)!,
  };
}
