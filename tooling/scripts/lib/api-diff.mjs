// Compares two versions of an API report: the bump a change needs (removed or changed line = major, added only =
// minor) and a readable diff. Comment lines (release tags, "(undocumented)") and blank lines never decide the bump.
import { createTwoFilesPatch, diffArrays } from "diff";

/** @typedef {"major" | "minor" | "patch" | "none"} Bump */
export const BUMP_ORDER = /** @type {const} */ (["none", "patch", "minor", "major"]);

/** @param {string} text */
function declarationLines(text) {
  return text
    .replaceAll("\r\n", "\n")
    .split("\n")
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== "" && !line.trim().startsWith("//"));
}

/**
 * The least bump a report change needs. A missing side (`undefined`) is a report that was added or deleted.
 * @param {string | undefined} oldText @param {string | undefined} newText @returns {Bump}
 */
export function classifyReportChange(oldText, newText) {
  if ((oldText ?? "") === (newText ?? "")) return "none";
  let removed = false;
  let added = false;
  for (const part of diffArrays(declarationLines(oldText ?? ""), declarationLines(newText ?? ""))) {
    if (part.removed) removed = true;
    if (part.added) added = true;
  }
  if (removed) return "major";
  return added ? "minor" : "patch";
}

/** A unified diff of a report, `-` the committed side and `+` the built side. */
export function formatReportDiff(name, oldText, newText) {
  return createTwoFilesPatch(`${name} (committed)`, `${name} (built)`, oldText ?? "", newText ?? "", undefined, undefined, { context: 2 })
    .split("\n")
    .slice(1) // the "====" banner
    .join("\n");
}
