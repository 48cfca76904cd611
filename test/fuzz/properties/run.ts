/**
 * Runs one fuzz property in this process and prints its peak memory: `node --import tsx
 * test/fuzz/properties/run.ts safetensors byteMutations`. test/fuzz/isolated.ts starts it as a child
 * process, so that a hang (killed at the time limit) or a crash of the engine fails one test instead
 * of the whole run.
 */
import { resourceUsage } from "node:process";

const [file, property] = process.argv.slice(2);
if (!file || !property || !/^[a-z-]+$/.test(file)) throw new Error("usage: run.ts <properties file> <property>");
const properties = (await import(`./${file}.js`)) as Record<string, unknown>;
const run = properties[property];
if (typeof run !== "function") throw new Error(`${file}.ts exports no property ${property}`);
(run as () => void)();
// maxRSS is the peak resident memory of the process, in KiB.
console.log(JSON.stringify({ maxRssKiB: resourceUsage().maxRSS }));
