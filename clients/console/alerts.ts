import type { Translate } from '../web/i18n';

/**
 * A short tone and a browser notification for new conversations and messages, only while
 * the console's tab is hidden (when it is visible the list already shows them).
 */
export class Alerts {
  private audio: AudioContext | undefined;

  constructor(private readonly t: Translate) {
    // Browsers allow audio only after a user gesture: unlock it on the first one.
    const unlock = () => {
      this.audio ??= typeof AudioContext === 'function' ? new AudioContext() : undefined;
      void this.audio?.resume().catch(() => undefined);
    };
    document.addEventListener('pointerdown', unlock, { once: true });
    document.addEventListener('keydown', unlock, { once: true });
  }

  /** A button asking for notification permission, while the browser has not been asked yet. */
  permissionButton(): HTMLButtonElement | undefined {
    if (typeof Notification !== 'function' || Notification.permission !== 'default') return undefined;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'secondary';
    button.textContent = this.t('enableNotifications');
    button.addEventListener('click', () => {
      void Notification.requestPermission().finally(() => button.remove());
    });
    return button;
  }

  notify(title: string, body: string, tag: string): void {
    if (document.visibilityState === 'visible') return;
    this.beep();
    if (typeof Notification === 'function' && Notification.permission === 'granted') {
      const notification = new Notification(title, { body: body.slice(0, 140), tag });
      notification.onclick = () => {
        window.focus();
        notification.close();
      };
    }
  }

  private beep(): void {
    const audio = this.audio;
    if (audio?.state !== 'running') return;
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.frequency.value = 880;
    gain.gain.setValueAtTime(0.12, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.25);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start();
    oscillator.stop(audio.currentTime + 0.25);
  }
}
