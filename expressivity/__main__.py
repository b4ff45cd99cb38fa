import gc

# performance only (issue 12): no garbage collection during the imports (they make few cycles);
# main() freezes what they created, then collections run as usual
gc.disable()
from .cli import main  # noqa: E402

gc.enable()
main()
