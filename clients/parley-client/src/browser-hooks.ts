interface EventTargetLike {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

/** Where the client listens for network and visibility changes; the browser's window and document by default. */
export interface PlatformEvents {
  readonly window?: EventTargetLike;
  readonly document?: EventTargetLike & { readonly visibilityState?: string };
  readonly navigator?: { readonly onLine?: boolean };
}

export interface PlatformHandlers {
  online(): void;
  offline(): void;
  visible(): void;
}

export function browserPlatform(): PlatformEvents {
  const scope = globalThis as { window?: EventTargetLike; document?: PlatformEvents['document']; navigator?: { onLine?: boolean } };
  return {
    ...(scope.window ? { window: scope.window } : {}),
    ...(scope.document ? { document: scope.document } : {}),
    ...(scope.navigator ? { navigator: scope.navigator } : {}),
  };
}

/** True unless the platform positively says it is offline. */
export function isOnline(platform: PlatformEvents): boolean {
  return platform.navigator?.onLine !== false;
}

/** Subscribes to online/offline and page-visibility events; returns the unsubscribe function. */
export function attachPlatformHooks(platform: PlatformEvents, handlers: PlatformHandlers): () => void {
  const onVisibility = () => {
    if (platform.document?.visibilityState === 'visible') handlers.visible();
  };
  const online = () => handlers.online();
  const offline = () => handlers.offline();
  platform.window?.addEventListener('online', online);
  platform.window?.addEventListener('offline', offline);
  platform.document?.addEventListener('visibilitychange', onVisibility);
  return () => {
    platform.window?.removeEventListener('online', online);
    platform.window?.removeEventListener('offline', offline);
    platform.document?.removeEventListener('visibilitychange', onVisibility);
  };
}
