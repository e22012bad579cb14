// swc transpiles web/greet.js for older browsers; esbuild bundles the
// result with its core-js polyfills into dist/greet.cjs (esbuild runs its
// own binary; swc is a native module).
const fs = require("fs");
const swc = require("@swc/core");
const esbuild = require("esbuild");

const src = fs.readFileSync("web/greet.js", "utf8");
const out = swc.transformSync(src, {
  jsc: { target: "es2015", parser: { syntax: "ecmascript" } },
});
fs.mkdirSync("build", { recursive: true });
fs.writeFileSync("build/greet.js", out.code);
esbuild.buildSync({
  entryPoints: ["build/greet.js"],
  bundle: true,
  format: "cjs",
  platform: "node",
  minify: true,
  outfile: "dist/greet.cjs",
});
console.log("built dist/greet.cjs:", fs.statSync("dist/greet.cjs").size, "bytes");
