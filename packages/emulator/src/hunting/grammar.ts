import * as peggy from 'peggy';

/**
 * The KQL subset the emulator's advanced hunting answers (README, "Emulator"), as a peggy grammar
 * compiled once when first needed. Operator names and keywords are case-sensitive, as in KQL; every
 * keyword is followed by a check that no identifier character follows (so `has` never eats the start
 * of `has_any`). Anything outside the subset fails at its own span with "Unsupported …".
 */
const GRAMMAR = String.raw`
{{
  const FUNCS = new Set(["ago", "bin", "strcat", "tolower", "toupper", "not", "count", "dcount", "min", "max", "make_set"]);
  const TABULAR_OPS = new Set(["where", "project", "project-away", "extend", "summarize", "order", "sort", "take", "limit", "top", "distinct", "join"]);
  const UNIT_MS = { d: 86400000, h: 3600000, m: 60000, s: 1000, ms: 1 };
  function fold(head, tail) {
    return tail.reduce((l, [op, r]) => ({ kind: "binary", op, left: l, right: r, loc: { start: l.loc.start, end: r.loc.end } }), head);
  }
}}

Query     = _ source:Table ops:(_ "|" _ op:Operator { return op; })* _  { return { kind: "query", source, ops }; }
Table     = name:Ident                                   { return { kind: "table", name, loc: location() }; }

Operator  = Where / ProjectAway / Project / Extend / Summarize / OrderBy / Take / Top / Distinct / Join / Unknown
Where     = "where" !IdentChar _ pred:Expr                { return { kind: "where", pred, loc: location() }; }
ProjectAway = "project-away" !IdentChar _ cols:IdentList  { return { kind: "project-away", cols, loc: location() }; }
Project   = "project" !("-" / IdentChar) _ items:AssignList { return { kind: "project", items, loc: location() }; }
Extend    = "extend" !IdentChar _ items:AssignList        { return { kind: "extend", items, loc: location() }; }
Summarize = "summarize" !IdentChar _ aggs:AssignList? by:(_ "by" !IdentChar _ k:AssignList { return k; })?
            &{ return aggs !== null || by !== null; }
            { return { kind: "summarize", aggs: aggs ?? [], by: by ?? [], loc: location() }; }
OrderBy   = ("order" / "sort") __ "by" !IdentChar _ keys:SortKey|1.., _ "," _| { return { kind: "order", keys, loc: location() }; }
SortKey   = expr:Expr dir:(_ d:("asc" / "desc") !IdentChar { return d; })? { return { expr, dir: dir ?? "desc" }; }
Take      = ("take" / "limit") !IdentChar _ n:Int         { return { kind: "take", n, loc: location() }; }
Top       = "top" !IdentChar _ n:Int _ "by" !IdentChar _ key:SortKey { return { kind: "top", n, key, loc: location() }; }
Distinct  = "distinct" !IdentChar _ cols:IdentList        { return { kind: "distinct", cols, loc: location() }; }
Join      = "join" !IdentChar _ "kind" _ "=" _ k:JoinKind _ "(" _ right:Query _ ")" _ "on" !IdentChar _ key:Ident
            { return { kind: "join", right, key, loc: location() }; }
JoinKind  = k:$"inner" !IdentChar { return k; }
          / k:Word { error("Unsupported join kind '" + k + "'"); }
Unknown   = !KnownOp name:OpName                          { error("Unsupported operator '" + name + "'"); }
KnownOp   = n:OpName &{ return TABULAR_OPS.has(n); }
OpName    = $(Word ("-" Word)*)

AssignList = head:Assign tail:(_ "," _ a:Assign { return a; })*  { return [head, ...tail]; }
Assign    = name:Ident _ "=" ![=~] _ expr:Expr            { return { name, expr }; }
          / expr:Expr                                     { return { name: null, expr }; }
IdentList = head:Ident tail:(_ "," _ i:Ident { return i; })*     { return [head, ...tail]; }

Expr      = Or
Or        = head:And tail:(_ op:$("or" !IdentChar) _ r:And { return [op, r]; })*   { return fold(head, tail); }
And       = head:Cmp tail:(_ op:$("and" !IdentChar) _ r:Cmp { return [op, r]; })*  { return fold(head, tail); }
Cmp       = l:Add t:(_ t:CmpTail { return t; })?          { return t ? { ...t, left: l, loc: location() } : l; }
CmpTail   = "between" _ "(" _ lo:Add _ ".." _ hi:Add _ ")"       { return { kind: "between", lo, hi }; }
          / neg:"!"? "in" _ "(" _ list:ExprList _ ")"             { return { kind: "in", negated: neg !== null, list }; }
          / op:CmpOp _ right:Add                                  { return { kind: "binary", op, right }; }
          / !Structural op:$("!"? Word "~"?)                      { error("Unsupported operator '" + op + "'"); }
CmpOp "comparison operator"
          = "==" / "!=" / "=~" / "!~" / "<=" / ">=" / "<" / ">"
          / op:$("!"? ("has" / "contains" / "startswith")) !IdentChar { return op; }
Structural = ("and" / "or" / "by" / "asc" / "desc" / "on") !IdentChar

Add       = head:Mul tail:(_ op:[+-] _ r:Mul { return [op, r]; })*         { return fold(head, tail); }
Mul       = head:Unary tail:(_ op:[*/] _ r:Unary { return [op, r]; })*     { return fold(head, tail); }
Unary     = "-" _ expr:Unary                              { return { kind: "neg", expr, loc: location() }; }
          / Primary
Primary   = Literal
          / Call
          / name:Ident                                    { return { kind: "col", name, loc: location() }; }
          / "(" _ e:Expr _ ")"                            { return e; }
Call      = name:Word _ "(" _ args:ExprList? _ ")" {
              if (!FUNCS.has(name)) error("Unsupported function '" + name + "'");
              return { kind: "call", name, args: args ?? [], loc: location() }; }
ExprList  = head:Expr tail:(_ "," _ e:Expr { return e; })*  { return [head, ...tail]; }

Literal   = DateTime / Timespan / Number / String / Bool
DateTime  = "datetime" _ "(" raw:$[^)]* ")" {
              const m = /^(\d{4}-\d\d-\d\d)(?:[T ](\d\d:\d\d(?::\d\d(?:\.\d{1,7})?)?))?(Z|[+-]\d\d:\d\d)?$/i.exec(raw.trim());
              const v = m ? Date.parse(m[1] + "T" + (m[2] ?? "00:00") + (m[3] ?? "Z")) : NaN;
              if (Number.isNaN(v)) error("Invalid datetime literal '" + raw.trim() + "'");
              return { kind: "lit", type: "datetime", value: v, loc: location() }; }
Timespan  = n:Num u:$("ms" / "d" / "h" / "m" / "s") !IdentChar
              { return { kind: "lit", type: "timespan", value: Number(n) * UNIT_MS[u], loc: location() }; }
Number    = n:Num !IdentChar                              { return { kind: "lit", type: "number", value: Number(n), loc: location() }; }
Num       = $([0-9]+ ("." [0-9]+)?)
Int "integer"
          = n:$[0-9]+ !IdentChar                          { return Number(n); }
String    = "'" cs:(Esc / [^'\\\n])* "'"                  { return { kind: "lit", type: "string", value: cs.join(""), loc: location() }; }
          / '"' cs:(Esc / [^"\\\n])* '"'                  { return { kind: "lit", type: "string", value: cs.join(""), loc: location() }; }
          / ["'] [^\n]*                                  { error("Unterminated string literal"); }
Esc       = "\\" c:. { return ({ n: "\n", t: "\t", r: "\r" })[c] ?? c; }
Bool      = v:$("true" / "false") !IdentChar              { return { kind: "lit", type: "bool", value: v === "true", loc: location() }; }

Ident "identifier"
          = !(Reserved !IdentChar) name:Word { return name; }
Reserved  = "and" / "or" / "by" / "asc" / "desc" / "on" / "between" / "in" / "has" / "contains" / "startswith" / "true" / "false"
Word      = $([A-Za-z_] IdentChar*)
IdentChar = [A-Za-z0-9_]
_ "whitespace"
          = ([ \t\r\n] / "//" [^\n]*)*
__ "whitespace"
          = ([ \t\r\n] / "//" [^\n]*)+
`;

let compiled: peggy.Parser | undefined;

/** The parser, compiled on first use (about 0.1 s): one per process. */
export function kqlParser(): peggy.Parser {
  compiled ??= peggy.generate(GRAMMAR, { grammarSource: 'query' });
  return compiled;
}
