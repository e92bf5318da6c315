# The xen resources of a rendered profile as status-file lines, applying
# the two mutations the profiles use: mSET (replace) and mADD (append a tag).
match($0, /^!?xen\.[A-Za-z0-9_]+/) {
  bang = ($0 ~ /^!/)
  name = substr($0, RSTART + bang, RLENGTH - bang)
  rest = substr($0, RLENGTH + 1); sub(/^[ \t]+/, "", rest)
  if (!(name in val)) { order[++n] = name; val[name] = "" }
  if (match(rest, /^m(SET|ADD)\(.*\)$/)) {
    op = substr(rest, 2, 3); v = substr(rest, 6, length(rest) - 6)
    if (op == "ADD" && val[name] != "") v = val[name] " " v
  } else v = rest
  val[name] = v
}
END { for (i = 1; i <= n; i++) print order[i] "=" val[order[i]] }
