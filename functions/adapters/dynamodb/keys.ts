/** Key builders for the single table (see table-schema.ts for the item kinds). */
export const SEQ_DIGITS = 12;

export const keys = {
  userConnection: (userId: string, connectionId: string) => ({ pk: `USER#${userId}`, sk: `CONN#${connectionId}` }),
  userPartition: (userId: string) => `USER#${userId}`,
  openPointer: (customerId: string) => ({ pk: `USER#${customerId}`, sk: 'OPEN' }),
  conversation: (conversationId: string) => ({ pk: `CONV#${conversationId}`, sk: 'META' }),
  conversationPartition: (conversationId: string) => `CONV#${conversationId}`,
  message: (conversationId: string, seq: number) => ({ pk: `CONV#${conversationId}`, sk: messageSortKey(seq) }),
  clientMessage: (conversationId: string, senderId: string, clientMsgId: string) => ({
    pk: `CONV#${conversationId}`,
    sk: `CMID#${senderId}#${clientMsgId}`,
  }),
  /** Internal notes live in a partition of their own: only staff paths are granted `NOTES#*`. */
  notesPartition: (conversationId: string) => `NOTES#${conversationId}`,
  note: (conversationId: string, seq: number) => ({ pk: `NOTES#${conversationId}`, sk: noteSortKey(seq) }),
  noteClaim: (conversationId: string, senderId: string, clientMsgId: string) => ({
    pk: `NOTES#${conversationId}`,
    sk: `CMID#${senderId}#${clientMsgId}`,
  }),
  notesHead: (conversationId: string) => ({ pk: `NOTES#${conversationId}`, sk: 'HEAD' }),
  readCursor: (conversationId: string, userId: string) => ({ pk: `CONV#${conversationId}`, sk: `READ#${userId}` }),
  agentProfile: (agentId: string) => ({ pk: `AGENT#${agentId}`, sk: 'PROFILE' }),
  /** The status the agent last chose (docs/routing.md "Redis is a cache"). */
  agentChosenStatus: (agentId: string) => ({ pk: `AGENT#${agentId}`, sk: 'STATUS' }),
  /** The agent's password hash: only the sign-in path may read this partition (IAM). */
  agentCredential: (agentId: string) => ({ pk: `CREDENTIAL#${agentId}`, sk: 'PASSWORD' }),
  agentEmail: (email: string) => ({ pk: `EMAIL#${email.toLowerCase()}`, sk: 'LOGIN' }),
  /** One partition listing every agent (a roster entry per agent, without the password hash). */
  agentRoster: (agentId: string) => ({ pk: 'ROSTER', sk: `AGENT#${agentId}` }),
  agentRosterPartition: 'ROSTER',
  /** A staff session (refresh token family). */
  staffSession: (sessionId: string) => ({ pk: `SESSION#${sessionId}`, sk: 'SESSION' }),
  /** An address marked by a bounce or complaint (lower-cased), and its listing entry. */
  mailAddress: (email: string) => ({ pk: `MAILADDR#${email.toLowerCase()}`, sk: 'STATUS' }),
  mailSuppressionEntry: (email: string) => ({ pk: 'MAILSUPPRESSIONS', sk: email.toLowerCase() }),
  mailSuppressionsPartition: 'MAILSUPPRESSIONS',
  /** A skill's business hours (`_default`: the deployment default). */
  skillHours: (skill: string) => ({ pk: `SKILL#${skill}`, sk: 'HOURS' }),
  /** The availability last announced to a skill's waiting customers. */
  skillAnnounced: (skill: string) => ({ pk: `SKILL#${skill}`, sk: 'ANNOUNCED' }),
  /** A skill's auto-replies (welcome, bot name, FAQ rules); `_default` for the deployment default. */
  skillAutoReplies: (skill: string) => ({ pk: `SKILL#${skill}`, sk: 'AUTOREPLIES' }),
  /** A canned response; all of them share one partition, listed by a Query. */
  cannedResponse: (id: string) => ({ pk: 'CANNED', sk: `RESPONSE#${id}` }),
  /** Who holds a shortcut in a scope (a skill or `_global`): keeps shortcuts unique without transactions. */
  cannedShortcut: (scope: string, shortcut: string) => ({ pk: 'CANNED', sk: `SHORTCUT#${scope}#${shortcut}` }),
  cannedPartition: 'CANNED',
  /** A configured skill (its display names); the fixed partition lists them all with one Query. */
  configuredSkill: (skill: string) => ({ pk: 'SKILLS', sk: `SKILL#${skill}` }),
  configuredSkillsPartition: 'SKILLS',
};

export function messageSortKey(seq: number): string {
  return `MSG#${String(seq).padStart(SEQ_DIGITS, '0')}`;
}

export function noteSortKey(seq: number): string {
  return `NOTE#${String(seq).padStart(SEQ_DIGITS, '0')}`;
}
