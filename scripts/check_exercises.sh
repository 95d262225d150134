#!/usr/bin/env bash
# The course is honest: with the stubs, every exercise fails ("not done yet"); with the reference
# solutions, every exercise passes; each has at least two hints and a solution, and names the lesson that
# ends with it (which lists it back); and the runner's
# commands and exit codes do what docs/Exercises.md says.
#
#   scripts/check_exercises.sh
#
# Works on a copy of Exercises/ in .build-course (a git repository of its own, as a learner's
# clone is, so that `reset` finds the stubs), never on the learner's own files.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$repo/.build-course"
course="$work/Exercises"
fail() { echo "check_exercises: $*" >&2; exit 1; }
export GPTFROMSCRATCH_PATH="$repo"

# A fresh copy of the course (the build folder kept between runs, for speed).
mkdir -p "$course"
find "$course" -mindepth 1 -maxdepth 1 ! -name .build -exec rm -rf {} +
(cd "$repo/Exercises" && tar cf - --exclude=.build --exclude=.progress.json --exclude=.attempts .) | (cd "$course" && tar xf -)
(cd "$course" && git init -q && git add -A && git -c user.name=course -c user.email=course@example.com commit -qm stubs)

exercises=$(cd "$course/Sources" && ls -d [0-9][0-9]-* | sort)
count=$(echo "$exercises" | wc -l | tr -d ' ')
echo "== $count exercises: listed in the manifest, with hints and solutions"
listed=$(grep -oE '"[0-9]{2}-[a-z0-9-]+"' "$course/Package.swift" | tr -d '"')
[ "$listed" = "$exercises" ] || fail "Package.swift's list of exercises is not the folders in Sources: $(echo $listed) vs $(echo $exercises)"
for name in $exercises; do
    hints=$(grep -c '^## Hint ' "$course/Sources/$name/Hints.md" || true)
    [ "$hints" -ge 2 ] || fail "$name has $hints hints (at least 2)"
    [ -f "$course/Solutions/$name/Exercise.swift" ] || fail "$name has no Solutions/$name/Exercise.swift"
    grep -q "Walkthrough:" "$course/Sources/$name/Exercise.swift" || fail "$name's header names no walkthrough chapter"
    # The exercise and its lesson point at each other: the header names the lesson, the lesson ends with the exercise.
    lesson=$(sed -n 's|^// Notebook: Notebooks/\([0-9][0-9]-[a-z0-9-]*\.swift\).*|\1|p' "$course/Sources/$name/Exercise.swift")
    [ -n "$lesson" ] && [ -f "$repo/Notebooks/$lesson" ] || fail "$name's header names no lesson of Notebooks/ (a line \"// Notebook: Notebooks/NN-name.swift …\")"
    grep -q "\`$name\`" "$repo/Notebooks/$lesson" || fail "Notebooks/$lesson does not list its exercise \`$name\`"
    cmp -s <(grep '^// Notebook:' "$course/Sources/$name/Exercise.swift") <(grep '^// Notebook:' "$course/Solutions/$name/Exercise.swift") \
        || fail "$name's stub and solution name different lessons"
done

echo "== every exercise a lesson lists exists"
for lesson in "$repo"/Notebooks/[0-9][0-9]-*.swift; do
    listed=$(awk '/^\/\/ ## Exercises/ { on = 1; next } /^\/\/ ## / { on = 0 } on' "$lesson" | grep -oE '`[0-9]{2}-[a-z0-9-]+`' | tr -d '`' || true)
    [ -n "$listed" ] || fail "$(basename "$lesson") has no \"## Exercises\" section naming an exercise"
    for name in $listed; do
        [ -d "$course/Sources/$name" ] || fail "$(basename "$lesson") lists the exercise $name, which does not exist"
    done
done

target() { echo "ex$(echo "$1" | tr '-' '_')"; }
echo "== with the stubs, every exercise fails"
(cd "$course" && swift build > "$work/build.log" 2>&1) || { tail -n 30 "$work/build.log"; fail "the stubs do not compile"; }
for name in $exercises; do
    status=0
    output=$("$course/.build/debug/$(target "$name")" 2>&1) || status=$?
    [ "$status" -eq 1 ] || fail "$name passes (or crashes, status $status) with its stub: $output"
    [[ "$output" == *"not done yet"* ]] || fail "$name's stub does not say \"not done yet\": $output"
done

echo "== the runner, end to end"
runner() {  # expected-status arguments...: runs the runner in the copy, checks its exit status, prints its output
    local expected=$1 status=0 output
    shift
    output=$(cd "$course" && .build/debug/exercises "$@" 2>&1) || status=$?
    [ "$status" -eq "$expected" ] || fail "exercises $*: status $status, expected $expected: $output"
    printf '%s\n' "$output"
}
first=$(echo "$exercises" | head -n 1)
runner 0 list | grep "0 of $count exercises done" > /dev/null || fail "list does not show 0 of $count done"
runner 1 next | grep "not done yet" > /dev/null || fail "next does not run the first exercise's stub"
runner 1 check "$first" > /dev/null
runner 0 hint "$first" | grep "Hint 1 of" > /dev/null || fail "the first hint is not hint 1"
runner 0 hint "$first" | grep "Hint 2 of" > /dev/null || fail "asking again does not give hint 2"
runner 0 hint "$first" 1 | grep "Hint 1 of" > /dev/null || fail "hint NAME 1 does not show hint 1"
runner 2 hint "$first" 99 > /dev/null
runner 1 solution "$first" | grep "does not pass yet" > /dev/null || fail "solution shows before the exercise passes"
runner 0 solution "$first" --force | grep "func " > /dev/null || fail "solution --force shows no code"
cp "$course/Solutions/$first/Exercise.swift" "$course/Sources/$first/Exercise.swift"
runner 0 next | grep "✓ $first" > /dev/null || fail "next does not pass with the solution"
runner 0 list | grep "1 of $count exercises done" > /dev/null || fail "list does not count the exercise done"
runner 0 solution "$first" > /dev/null
runner 0 reset "$first" | grep ".attempts/" > /dev/null || fail "reset does not say where the attempt went"
grep -q "notDoneYet()" "$course/Sources/$first/Exercise.swift" || fail "reset did not bring the stub back"
ls "$course/.attempts/$first-"*.swift > /dev/null 2>&1 || fail "reset did not keep the learner's version"
runner 0 list | grep "0 of $count exercises done" > /dev/null || fail "reset did not undo the progress"
runner 2 bogus > /dev/null
runner 2 check > /dev/null
runner 2 check no-such-exercise > /dev/null

echo "== with the solutions, every exercise passes"
for name in $exercises; do cp "$course/Solutions/$name/Exercise.swift" "$course/Sources/$name/Exercise.swift"; done
(cd "$course" && swift build > "$work/build.log" 2>&1) || { tail -n 30 "$work/build.log"; fail "the solutions do not compile"; }
for name in $exercises; do
    output=$("$course/.build/debug/$(target "$name")" 2>&1) || fail "$name fails with its solution: $output"
done
echo "exercises: $count exercises fail as stubs and pass as solutions; the runner works: OK"
