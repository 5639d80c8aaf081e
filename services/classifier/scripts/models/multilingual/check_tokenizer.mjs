// The tokenizer.json write_tokenizer.py wrote, run through transformers.js (the runtime's
// tokenizer), against the engine's ids and Python tokenizers' (write_tokenizer.py --check
// --ids FILE): counts the tweets whose ids differ from the engine's, how many of those differ
// only by runs of <unk> fused into one, and the tweets where the two libraries disagree.
//   node check_tokenizer.mjs MODEL_DIR IDS_JSONL
import { readFileSync } from 'node:fs';
import { AutoTokenizer, env } from '@huggingface/transformers';

const [dir, idsPath] = process.argv.slice(2);
if (!dir || !idsPath) {
  console.error('usage: node check_tokenizer.mjs MODEL_DIR IDS_JSONL');
  process.exit(2);
}
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = '';
const tok = await AutoTokenizer.from_pretrained(dir);
const UNK = 3;
const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);
const collapseUnk = (ids) => ids.filter((id, i) => !(id === UNK && ids[i - 1] === UNK));
let n = 0;
let bad = 0;
let fusedUnk = 0;
let pythonDiffers = 0;
const examples = [];
for (const line of readFileSync(idsPath, 'utf8').split('\n')) {
  if (!line) continue;
  const { text, ids, tokenizers } = JSON.parse(line);
  const got = tok.encode(`query: ${text}`);
  n++;
  if (!same(got, tokenizers)) pythonDiffers++;
  if (same(got, ids)) continue;
  bad++;
  if (same(collapseUnk(ids), collapseUnk(got))) fusedUnk++;
  else if (examples.length < 5) examples.push({ text: text.slice(0, 100), engine: ids.length, ours: got.length });
}
console.log(JSON.stringify({ texts: n, mismatches: bad, only_fused_unk: fusedUnk, python_tokenizers_differ: pythonDiffers, examples }));
