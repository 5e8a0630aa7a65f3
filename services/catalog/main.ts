/** Entry point of the catalog container (the bundle is /app/main.js in the image). */
import { runService } from "../container/lifecycle";
import { jsonLog } from "../container/log";
import { startCatalog } from "./app";

const log = jsonLog("catalog");
runService(log, () => startCatalog(process.env, log));
