/**
 * Imported first by the local stack and the tools that start it: Powertools reads
 * POWERTOOLS_METRICS_DISABLED when the handlers' shared Metrics instance is built, at import,
 * so setting it later (with the rest of the local environment) left EMF lines on stdout
 * whenever a handler module was imported before the stack started. The local stack has no
 * CloudWatch to read them; tests that check metrics capture them through their own instance.
 */
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
