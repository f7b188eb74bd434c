package dev.lockmanager.lock.chaos;

import java.time.Duration;
import java.util.List;

/**
 * What {@link HistoryChecker} found in one run: the figures of the report, and every violated property.
 *
 * @param operations leases acquired
 * @param acquireFailures acquisitions that timed out or found Redis unreachable
 * @param faults faults injected
 * @param overlaps pairs of holders whose intervals overlapped
 * @param lossesReported leases the library reported lost (or whose validity ran out)
 * @param staleWritesRejected claims and writes the resource refused because a newer token had claimed it
 * @param lostUpdates accepted writes missing from the resource's value
 * @param worstRecovery longest time from a fault's heal to the next acquisition; {@code null} without faults
 * @param violations one message per violation, each starting with the property's letter
 */
record Verdict(int operations, int acquireFailures, int faults, int overlaps, int lossesReported,
		int staleWritesRejected, long lostUpdates, Duration worstRecovery, List<String> violations) {

	Verdict {
		violations = List.copyOf(violations);
	}

}
