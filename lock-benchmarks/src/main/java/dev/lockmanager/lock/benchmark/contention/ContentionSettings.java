package dev.lockmanager.lock.benchmark.contention;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The contention benchmark's settings, from {@code bench.contention.*} system properties whose defaults are in the
 * module's pom. In-JVM cells: every combination of {@code instances} (application instances sharing
 * {@code threads} threads evenly) and {@code sectionsMicros} (critical section), each implementation measured for
 * {@code seconds} in {@code rounds} rotating slices, each slice after a warm-up of {@code warmupMillis}; before the
 * first cell each implementation warms up for {@code initialWarmupSeconds}. Process cells: {@code processes} child
 * JVMs (0: none) sharing the same threads, for each of {@code processSectionsMicros}, measured once for
 * {@code processSeconds} after {@code processWarmupSeconds}. {@code childJvmArgs} are the children's JVM flags;
 * {@code report} is a file to copy the report to (keep it under {@code target/}).
 */
record ContentionSettings(List<Implementation> implementations, List<Integer> instances, int threads,
		List<Long> sectionsMicros, double seconds, int rounds, long warmupMillis, double initialWarmupSeconds,
		int processes, List<Long> processSectionsMicros, double processSeconds, double processWarmupSeconds,
		List<String> childJvmArgs, String report) {

	private static final String PREFIX = "bench.contention.";

	ContentionSettings {
		for (int count : instances) {
			requireDivides(count, threads, "instances");
		}
		if (processes > 0) {
			requireDivides(processes, threads, "processes");
		}
		if (implementations.isEmpty()) {
			throw new IllegalArgumentException("bench.contention.implementations must name at least one");
		}
		if (rounds < 1 || seconds <= 0) {
			throw new IllegalArgumentException("bench.contention.rounds must be at least 1 and bench.contention.seconds "
					+ "positive, but were " + rounds + " and " + seconds);
		}
	}

	static ContentionSettings fromSystemProperties() {
		return new ContentionSettings(
				list("implementations", "raw,si-spin,si-pubsub,redisson,starter", Implementation::byId),
				list("instances", "1,2,4", Integer::valueOf), Integer.getInteger(PREFIX + "threads", 8),
				list("sectionsMicros", "0,50,1000", Long::valueOf), number("seconds", 5),
				Integer.getInteger(PREFIX + "rounds", 2), Long.getLong(PREFIX + "warmupMillis", 500),
				number("initialWarmupSeconds", 2), Integer.getInteger(PREFIX + "processes", 4),
				list("processSectionsMicros", "50", Long::valueOf), number("processSeconds", 5),
				number("processWarmupSeconds", 2),
				Arrays.stream(System.getProperty(PREFIX + "childJvmArgs", "").trim().split("\\s+"))
					.filter(arg -> !arg.isEmpty())
					.toList(),
				System.getProperty(PREFIX + "report", ""));
	}

	private static <T> List<T> list(String name, String defaults, Function<String, T> parse) {
		String value = System.getProperty(PREFIX + name, defaults);
		return Arrays.stream(value.split(",")).map(String::trim).filter(item -> !item.isEmpty()).map(parse).toList();
	}

	private static double number(String name, double defaultValue) {
		String value = System.getProperty(PREFIX + name);
		return (value == null || value.isBlank()) ? defaultValue : Double.parseDouble(value.trim());
	}

	private static void requireDivides(int count, int threads, String property) {
		if (count < 1 || threads % count != 0) {
			throw new IllegalArgumentException("bench.contention." + property + " must divide bench.contention.threads ("
					+ threads + ") so that every instance runs as many threads, but was " + count);
		}
	}

}
