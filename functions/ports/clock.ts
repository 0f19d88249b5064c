export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  /** Time-ordered unique id (sorts by creation time). */
  next(): string;
}
