/**
 * Mocha root hooks (loaded through .mocharc's `require`): after the whole run, stop every server a
 * test left running, so the run always exits and leaves no process behind.
 */
import { killAllServers, stopAllServers } from "./running-servers";

process.once("exit", killAllServers);
for (const [signal, code] of [["SIGTERM", 143], ["SIGINT", 130], ["SIGHUP", 129]] as const) {
    process.once(signal, () => process.exit(code));
}

export const mochaHooks = {
    async afterAll(): Promise<void> {
        await stopAllServers();
    },
};
