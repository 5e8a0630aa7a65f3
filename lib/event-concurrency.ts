/**
 * Reserved concurrency the events components set themselves rather than take from config. Config
 * validation adds them to the configured reservations (config/sections/events.ts), and a stack
 * test checks that total against every function the plan registers.
 */

/** The outbox relay: one run at a time is plenty, and SKIP LOCKED makes an overlap harmless anyway. */
export const RELAY_RESERVED_CONCURRENCY = 1;

/** The saga's step functions, each reserving the saga's taskReservedConcurrency (components/events/saga.ts). */
export const SAGA_STEP_FUNCTIONS = ["inventory", "payments", "shipping"] as const;
