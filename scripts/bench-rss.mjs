// Preloaded with `node --import` by bench.mjs: records the process's peak resident memory at exit.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  if (process.env.MFINFRA_BENCH_RSS_FILE) writeFileSync(process.env.MFINFRA_BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
});
