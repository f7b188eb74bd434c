package dev.lockmanager.lock.benchmark.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The sample benchmark's settings, from system properties (defaults in brackets): {@code bench.sample.jar} the
 * sample's executable jar [{@code ../../lock-sample-orders/target/lock-sample-orders.jar}, seen from
 * {@code lock-benchmarks/target}]; {@code bench.sample.rounds} rounds, each with one run on one instance and one on
 * two [3]; {@code bench.sample.warmupSeconds} and {@code bench.sample.seconds} the load before and during the measured
 * window of each run [20, 10]; {@code bench.sample.concurrency} client threads in total, spread evenly over the
 * instances [20]; {@code bench.sample.stock} units of the benchmark's item in each run's fresh database [1000000];
 * {@code bench.sample.jvmArgs} JVM flags of each instance [-Xmx256m]; {@code bench.sample.database} {@code postgres}
 * or {@code h2}, see {@link SampleDatabase} [postgres where it is installed, else h2]; {@code bench.sample.report} a
 * file to copy the report to, keep it under {@code target/} [none].
 */
record SampleSettings(Path jar, int rounds, Duration warmup, Duration measured, int concurrency, int stock,
		List<String> instanceJvmArgs, String database, String report) {

	/**
	 * Where {@code ./mvnw -pl lock-sample-orders -am package} leaves the jar, seen from {@code lock-benchmarks/target},
	 * the working directory of the Maven profile.
	 */
	private static final String DEFAULT_JAR = "../../lock-sample-orders/target/lock-sample-orders.jar";

	static SampleSettings fromSystemProperties() {
		String jvmArgs = System.getProperty("bench.sample.jvmArgs", "-Xmx256m").trim();
		Path jar = Path.of(System.getProperty("bench.sample.jar", DEFAULT_JAR)).toAbsolutePath().normalize();
		return new SampleSettings(jar, Math.max(1, Integer.getInteger("bench.sample.rounds", 3)),
				Duration.ofSeconds(Math.max(0, Integer.getInteger("bench.sample.warmupSeconds", 20))),
				Duration.ofSeconds(Math.max(1, Integer.getInteger("bench.sample.seconds", 10))),
				Math.max(2, Integer.getInteger("bench.sample.concurrency", 20)),
				Math.max(1, Integer.getInteger("bench.sample.stock", 1_000_000)),
				jvmArgs.isEmpty() ? List.of() : List.of(jvmArgs.split("\\s+")),
				System.getProperty("bench.sample.database", ""), System.getProperty("bench.sample.report", ""));
	}

	/**
	 * @return what to do about a missing jar, naming the build command; empty if the jar is there
	 */
	Optional<String> missingJar() {
		if (Files.isRegularFile(this.jar)) {
			return Optional.empty();
		}
		return Optional.of("The sample's executable jar is missing: " + this.jar + "\nBuild it with"
				+ " `./mvnw -B -q -pl lock-sample-orders -am package -DskipTests` from the repository root, or point"
				+ " -Dbench.sample.jar=... at it (a relative path is resolved against the working directory, "
				+ Path.of("").toAbsolutePath() + ").");
	}

}
