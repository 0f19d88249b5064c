/** One-way password encoding for staff sign-in; the adapter picks the algorithm and its cost. */
export interface PasswordHasher {
  /** Encodes a new password with a fresh salt. */
  hash(password: string): Promise<string>;
  /** True when `password` matches `encoded`, in constant time for equal-length hashes. */
  verify(password: string, encoded: string): Promise<boolean>;
  /** A hash no password matches, checked for unknown emails so they take as long as known ones. */
  readonly decoyHash: string;
}
