/**
 * Imported first by the local stack and the tools that start it: Powertools reads
 * POWERTOOLS_METRICS_DISABLED when the handlers' shared Metrics instance is built, at import,
 * so setting it later (with the rest of the local environment) left EMF lines on stdout
 * whenever a handler module was imported before the stack started. The local stack has no
 * CloudWatch to read them; tests that check metrics capture them through their own instance.
 */
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

/**
 * The X-Ray SDK (under Powertools Tracer) starts in automatic mode at import unless told
 * otherwise: an async hook with a destroy callback on every promise in the process, some 10%
 * of the local stack's CPU. Tracing is off outside Lambda, so manual mode changes nothing else.
 */
process.env.AWS_XRAY_MANUAL_MODE ??= 'true';
