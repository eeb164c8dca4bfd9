"""What the gate's end-to-end scripts share: a list of failed expectations,
printed as they fail, and the exit status at the end."""
import sys


class Checks:
    def __init__(self, name):
        self.name = name
        self.errors = []

    def expect(self, cond, what):
        """Records `what` as a failure unless `cond` holds."""
        if not cond:
            self.errors.append(what)
            print(f"{self.name}: FAIL: {what}", file=sys.stderr)

    __call__ = expect  # checks(cond, what)

    def finish(self):
        """The exit status: 1 after listing how many expectations failed, else 0."""
        if self.errors:
            print(f"{self.name}: {len(self.errors)} failure(s)", file=sys.stderr)
            return 1
        print(f"{self.name}: ok")
        return 0
