# Drain3 beside Vigil's miner: default TemplateMinerConfig plus Vigil's masks (read from a JSON file),
# one message per line on the input file; prints one cluster id per line, or only timing with --quiet.
import json
import sys
import time

from drain3 import TemplateMiner
from drain3.masking import MaskingInstruction
from drain3.template_miner_config import TemplateMinerConfig


def main() -> None:
    masks_file, input_file = sys.argv[1], sys.argv[2]
    quiet = "--quiet" in sys.argv[3:]
    max_seconds = float(next((a.split("=", 1)[1] for a in sys.argv[3:] if a.startswith("--max-seconds=")), "inf"))
    config = TemplateMinerConfig()
    config.profiling_enabled = False
    # Vigil masks everything to <*>; Drain3 wraps mask_with in its prefix and suffix ("<" and ">").
    config.masking_instructions = [MaskingInstruction(m["pattern"], "*") for m in json.load(open(masks_file))]
    miner = TemplateMiner(config=config)
    start = time.perf_counter()
    cpu_start = time.process_time()
    ids = []
    count = 0
    with open(input_file, encoding="utf-8", errors="replace") as f:
        for line in f:
            result = miner.add_log_message(line.rstrip("\n"))
            count += 1
            # A time budget, checked every 10k messages, so a slow peer cannot stall the bench.
            if count % 10000 == 0 and time.perf_counter() - start > max_seconds:
                break
            if not quiet:
                ids.append(result["cluster_id"])
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    if not quiet:
        sys.stdout.write("".join(f"{i}\n" for i in ids))
    sys.stderr.write(json.dumps({"messages": count, "seconds": seconds, "cpu_seconds": cpu_seconds, "clusters": len(miner.drain.clusters)}) + "\n")


if __name__ == "__main__":
    main()
