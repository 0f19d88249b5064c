/** One privileged action on customers' data (docs/data-rights.md): who, what, whose, when. */
export interface AuditEntry {
  readonly id: string;
  readonly at: string;
  readonly action: 'customer.export' | 'customer.erase';
  /** The admin who acted. */
  readonly actorId: string;
  readonly customerId: string;
  /** What the action did (counts, the export's key); never the customer's data. */
  readonly details?: Readonly<Record<string, string | number | boolean>>;
}

/** The audit trail of data-rights actions: written once per action, never changed by an erase. */
export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
}
