/**
 * When each of Parley's token signing keys signs, verifies and is dropped. Times are epoch
 * seconds. A key is published to verifiers at once but signs only from `activatesAt`, so
 * every verifier has re-read its cached key set before it meets a token the key signed; it
 * keeps verifying after `retiresAt` (when a newer key took over signing) until every token
 * it signed has expired, then is dropped.
 */
export interface KeyTiming {
  readonly kid: string;
  readonly createdAt: number;
  readonly activatesAt: number;
  /** When a newer key took over signing; absent while the key is the newest. */
  readonly retiresAt?: number | undefined;
}

export interface KeyPolicy {
  /** How long after publication a new key may start signing: the verifiers' cache plus a margin. */
  readonly activationDelaySeconds: number;
  /** How long a retired key keeps verifying: the longest token lifetime plus clock tolerance. */
  readonly retiredKeyGraceSeconds: number;
  /** How long verifiers and signers cache a key set. */
  readonly cacheSeconds: number;
}

/** The key that signs at `now`: the newest one already active. */
export function signingKeyAt<K extends KeyTiming>(keys: readonly K[], now: number): K | undefined {
  let newest: K | undefined;
  for (const key of keys) {
    if (key.activatesAt > now) continue;
    if (
      newest === undefined ||
      key.activatesAt > newest.activatesAt ||
      (key.activatesAt === newest.activatesAt && key.createdAt > newest.createdAt) ||
      (key.activatesAt === newest.activatesAt && key.createdAt === newest.createdAt && key.kid > newest.kid)
    ) {
      newest = key;
    }
  }
  return newest;
}

/** Whether a token signed by this key may still be valid at `now`. */
export function verifiesAt(key: KeyTiming, now: number, policy: Pick<KeyPolicy, 'retiredKeyGraceSeconds'>): boolean {
  return key.retiresAt === undefined || now < key.retiresAt + policy.retiredKeyGraceSeconds;
}

/** The key set after a rotation at `now` adds `fresh`: expired keys dropped, the others retired. */
export function rotateKeys<K extends KeyTiming>(
  keys: readonly K[],
  fresh: Omit<K, keyof KeyTiming> & { readonly kid: string },
  now: number,
  policy: KeyPolicy,
): K[] {
  const kept = keys.filter((key) => verifiesAt(key, now, policy));
  if (kept.some((key) => key.kid === fresh.kid)) throw new Error(`Key ${fresh.kid} is already in the set`);
  // Nobody can be signing yet (a first key, or only keys still waiting): the new key may start at once.
  const activatesAt = signingKeyAt(kept, now) === undefined ? now : now + policy.activationDelaySeconds;
  const retired = kept.map((key) => (key.retiresAt === undefined ? { ...key, retiresAt: activatesAt } : key));
  return [...retired, { ...fresh, createdAt: now, activatesAt } as unknown as K];
}

/**
 * The timing verifiers are told. `switched` is false while the new key is only published
 * (signers do not know it yet): keys keep the retirement verifiers already had. Once signers
 * can see the new set (`switched`), a newly retired key is announced as retiring no earlier
 * than the moment every signer has re-read the set, so a rotation finished late can never
 * cut short the tokens the old key signed in the meantime.
 */
export function publishedTiming(
  signing: readonly KeyTiming[],
  published: readonly KeyTiming[],
  now: number,
  policy: Pick<KeyPolicy, 'cacheSeconds'>,
  switched: boolean,
): KeyTiming[] {
  return signing.map((key) => {
    const before = published.find((candidate) => candidate.kid === key.kid);
    const timing = { kid: key.kid, createdAt: key.createdAt, activatesAt: key.activatesAt };
    if (before?.retiresAt !== undefined) return { ...timing, retiresAt: before.retiresAt };
    if (!switched || key.retiresAt === undefined) return timing;
    return { ...timing, retiresAt: Math.max(key.retiresAt, now + policy.cacheSeconds) };
  });
}

/** The signing set with each key's retirement moved to the later one verifiers were told, so a key is never dropped before verifiers stop trusting it. */
export function withPublishedRetirements<K extends KeyTiming>(signing: readonly K[], published: readonly KeyTiming[]): K[] {
  return signing.map((key) => {
    const announced = published.find((candidate) => candidate.kid === key.kid)?.retiresAt;
    if (key.retiresAt === undefined || announced === undefined || announced <= key.retiresAt) return key;
    return { ...key, retiresAt: announced };
  });
}
