import "core-js/actual/array/at.js";
import "core-js/actual/string/replace-all.js";

export const greet = (name = "world") => `Hello, ${name.replaceAll("_", " ")}!`;
export const last = (xs) => xs.at(-1);
