/** Shared by the shell-words unit test and its check against a real sh (test/controller/shell-words-sh.test.ts). */

/** The environment the cases are read with. */
export const SHELL_ENV: Readonly<Record<string, string>> = { HOME: '/home/trial', EMPTY: '', SPACED: '  a  b\tc ', PLAIN: 'value', GLOB: 'a*b' }
/**
 * Words after a program name, and the arguments dash gives it for them, with SHELL_ENV as its
 * environment (test/controller/shell-words-sh.test.ts checks this table against the machine's sh).
 */
export const AGREED: readonly (readonly [string, readonly string[]])[] = [
  ["a b   c", ["a","b","c"]],
  ["'single quoted $PLAIN \\ \"x\"'", ["single quoted $PLAIN \\ \"x\""]],
  ["\"double $PLAIN \\$ \\\" \\\\ \\a ${PLAIN}x\"", ["double value $ \" \\ \\a valuex"]],
  ["back\\ slash \\'q\\' \\$PLAIN", ["back slash","'q'","$PLAIN"]],
  ["--arch=\"[[3], [0, 1]]\" --cfg=\"{'a': 1}\"", ["--arch=[[3], [0, 1]]","--cfg={'a': 1}"]],
  ["$SPACED", ["a","b","c"]],
  ["\"$SPACED\"", ["  a  b\tc "]],
  ["x$SPACED", ["x","a","b","c"]],
  ["$EMPTY", []],
  ["\"$EMPTY\" ''", ["",""]],
  ["$UNSET end", ["end"]],
  ["a$PLAIN${PLAIN}b", ["avaluevalueb"]],
  ["~ ~/x a~b", ["/home/trial","/home/trial/x","a~b"]],
  ["cost$ $ \"$\" x$", ["cost$","$","$","x$"]],
  ["line \\\ncontinued", ["line","continued"]],
  ["word # a comment", ["word"]],
  ["a#b", ["a#b"]],
  ["\"multi\nline\"", ["multi\nline"]],
  ["{a,b} ^openib x=1 -map-by=slot", ["{a,b}","^openib","x=1","-map-by=slot"]],
  ["trailing\n\n# comment\n", ["trailing"]],
]

