const test = require("node:test");
const assert = require("node:assert");
const { greet, last } = require("../dist/greet.cjs");

test("greets", () => assert.strictEqual(greet("big_world"), "Hello, big world!"));
test("greets the world by default", () => assert.strictEqual(greet(), "Hello, world!"));
test("last", () => assert.strictEqual(last([1, 2, 3]), 3));
