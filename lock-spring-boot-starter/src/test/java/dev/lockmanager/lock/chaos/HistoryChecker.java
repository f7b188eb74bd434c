package dev.lockmanager.lock.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Checks a run's history against the properties a lease with fencing must keep under faults:
 * <ol type="a">
 * <li>no lost update: the counter equals the number of accepted writes, each accepted write wrote one more than
 * the write before it left, and the resource and the clients agree on which writes were accepted;</li>
 * <li>fencing: the accepted writes' tokens strictly increase, and no two leases share a token;</li>
 * <li>every overlap of two holders' intervals involves a lease the library reported lost (or whose validity had run
 * out);</li>
 * <li>liveness: after each fault heals, some process acquires within ttl + 2s;</li>
 * <li>no lock key is left without a TTL.</li>
 * </ol>
 */
final class HistoryChecker {

	/** How long after a fault healed the lock must be acquired again, on top of the ttl. */
	static final Duration RECOVERY_MARGIN = Duration.ofSeconds(2);

	private HistoryChecker() {
	}

	/**
	 * @param history what the clients and the nemesis recorded
	 * @param resource the resource at the end
	 * @param lockKeyTtls every lock key left in Redis and its {@code PTTL} (-1: no TTL, -2: gone meanwhile)
	 * @param ttl the leases' ttl
	 */
	static Verdict check(History history, ResourceState resource, Map<String, Long> lockKeyTtls, Duration ttl) {
		long origin = Stream.concat(history.operations().stream().map(Operation::acquireStart),
				history.faults().stream().map(Fault::injected))
			.mapToLong(Long::longValue)
			.min()
			.orElse(0);
		Map<Long, List<Operation>> byToken = history.operations()
			.stream()
			.collect(Collectors.groupingBy(Operation::token, LinkedHashMap::new, Collectors.toList()));
		List<String> violations = new ArrayList<>();
		long lostUpdates = checkUpdates(byToken, resource, violations);
		checkFencing(byToken, resource, violations);
		int overlaps = checkOverlaps(history.operations(), origin, violations);
		Duration worstRecovery = checkLiveness(history, ttl, origin, violations);
		lockKeyTtls.forEach((key, pttl) -> {
			if (pttl == -1) {
				violations.add("(e) lock key " + key + " has no TTL");
			}
		});
		return new Verdict(history.operations().size(), history.failures().size(), history.faults().size(), overlaps,
				(int) history.operations().stream().filter(Operation::reportedLost).count(),
				(int) history.operations()
					.stream()
					.filter((op) -> op.answer() == Operation.Answer.CLAIM_REFUSED
							|| op.answer() == Operation.Answer.WRITE_REFUSED)
					.count(),
				lostUpdates, worstRecovery, violations);
	}

	/**
	 * Operations sharing a token (a violation of its own) are left out: which of them wrote is unknown.
	 */
	private static long checkUpdates(Map<Long, List<Operation>> byToken, ResourceState resource,
			List<String> violations) {
		List<Long> accepted = resource.acceptedTokens();
		if (resource.value() != accepted.size()) {
			violations.add("(a) lost update: the counter is " + resource.value() + " after " + accepted.size()
					+ " accepted writes");
		}
		long previous = 0; // what the write before left, -1 when unknown (its client died before it reported)
		for (int i = 0; i < accepted.size(); i++) {
			List<Operation> writers = byToken.getOrDefault(accepted.get(i), List.of());
			if (writers.isEmpty()) {
				violations.add("(a) accepted write #" + (i + 1) + " carries token " + accepted.get(i)
						+ ", which no client held");
			}
			Operation writer = (writers.size() == 1) ? writers.get(0) : null;
			boolean known = writer != null && writer.answer() == Operation.Answer.ACCEPTED;
			if (known && previous >= 0 && writer.value() != previous + 1) {
				violations.add("(a) lost update: accepted write #" + (i + 1) + " (" + describe(writer) + ") wrote "
						+ writer.value() + ", but the write before it had left " + previous);
			}
			previous = known ? writer.value() : -1;
		}
		Set<Long> acceptedSet = new HashSet<>(accepted);
		for (List<Operation> holders : byToken.values()) {
			Operation op = holders.get(0);
			if (holders.size() > 1) {
				continue;
			}
			boolean clientSaysAccepted = op.answer() == Operation.Answer.ACCEPTED;
			boolean clientSaysRefused = op.answer() == Operation.Answer.CLAIM_REFUSED
					|| op.answer() == Operation.Answer.WRITE_REFUSED;
			if (clientSaysAccepted && !acceptedSet.contains(op.token())) {
				violations.add("(a) " + describe(op) + " was told its write was accepted, but the resource has no "
						+ "write with its token");
			}
			if (clientSaysRefused && acceptedSet.contains(op.token())) {
				violations.add("(a) " + describe(op) + " was told " + op.answer() + ", but the resource applied its "
						+ "write");
			}
		}
		return Math.max(0, accepted.size() - resource.value());
	}

	private static void checkFencing(Map<Long, List<Operation>> byToken, ResourceState resource,
			List<String> violations) {
		List<Long> accepted = resource.acceptedTokens();
		for (int i = 1; i < accepted.size(); i++) {
			if (accepted.get(i) <= accepted.get(i - 1)) {
				violations.add("(b) accepted write #" + (i + 1) + " carries token " + accepted.get(i)
						+ ", not above the previous accepted write's " + accepted.get(i - 1));
			}
		}
		byToken.forEach((token, holders) -> {
			if (holders.size() > 1) {
				violations.add("(b) " + holders.size() + " leases share fencing token " + token + ", held by " + holders
					.stream()
					.map(Operation::process)
					.distinct()
					.sorted()
					.collect(Collectors.joining(", ")));
			}
		});
	}

	private static int checkOverlaps(List<Operation> operations, long origin, List<String> violations) {
		List<Operation> byStart = operations.stream().sorted(Comparator.comparingLong(Operation::acquired)).toList();
		int overlaps = 0;
		for (int i = 0; i < byStart.size(); i++) {
			Operation first = byStart.get(i);
			for (int j = i + 1; j < byStart.size() && byStart.get(j).acquired() < first.end(); j++) {
				Operation second = byStart.get(j);
				if (!first.overlaps(second)) {
					continue;
				}
				overlaps++;
				if (!first.reportedLost() && !second.reportedLost()) {
					violations.add("(c) " + describe(first) + " held " + interval(first, origin) + " and "
							+ describe(second) + " held " + interval(second, origin)
							+ " at the same time, and neither was told its lease was lost");
				}
			}
		}
		return overlaps;
	}

	private static Duration checkLiveness(History history, Duration ttl, long origin, List<String> violations) {
		Duration bound = ttl.plus(RECOVERY_MARGIN);
		Duration worst = null;
		for (Fault fault : history.faults()) {
			OptionalLong next = history.operations()
				.stream()
				.mapToLong(Operation::acquired)
				.filter((acquired) -> acquired >= fault.healed())
				.min();
			String healed = "after " + fault.kind() + " of " + fault.target() + " healed at "
					+ millis(fault.healed() - origin);
			if (next.isEmpty()) {
				violations.add("(d) " + healed + ", no process acquired the lock again");
				continue;
			}
			Duration recovery = Duration.ofNanos(next.getAsLong() - fault.healed());
			if (recovery.compareTo(bound) > 0) {
				violations.add("(d) " + healed + ", no process acquired the lock within " + bound.toMillis()
						+ "ms (the next acquisition came after " + recovery.toMillis() + "ms)");
			}
			if (worst == null || recovery.compareTo(worst) > 0) {
				worst = recovery;
			}
		}
		return worst;
	}

	private static String describe(Operation op) {
		return op.process() + " (token " + op.token() + ")";
	}

	private static String interval(Operation op, long origin) {
		return "[" + millis(op.acquired() - origin) + ", " + millis(op.end() - origin) + "]";
	}

	private static String millis(long nanos) {
		return Duration.ofNanos(nanos).toMillis() + "ms";
	}

}
