import { fileURLToPath } from "node:url";

/** Where the page's files are: src/server/public, from src/ (tests) or dist/src/ (built). */
function publicFile(name: string): string {
  const here = fileURLToPath(import.meta.url);
  const root = here.includes("/dist/src/") ? here.slice(0, here.indexOf("/dist/src/")) : here.slice(0, here.indexOf("/src/"));
  return `${root}/src/server/public/${name}`;
}

/** The compose page: no external assets, strict CSP, so hashtag text from data cannot run script. */
export const PUBLIC_FILES: Record<string, { path: string; type: string }> = {
  "/": { path: publicFile("index.html"), type: "text/html; charset=utf-8" },
  "/app.js": { path: publicFile("app.js"), type: "text/javascript; charset=utf-8" },
  "/style.css": { path: publicFile("style.css"), type: "text/css; charset=utf-8" },
};

/** The page's Content-Security-Policy: its own files only, no inline script or style. */
export const CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'";
