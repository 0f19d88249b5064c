/** Every state of the widget the accessibility, layout and keyboard tests look at. */
export const WIDGET_STATES = ['launcher', 'home', 'prechat', 'chatting', 'queued', 'offline', 'rating', 'error'] as const;
export type WidgetState = (typeof WIDGET_STATES)[number];
