package dev.lockmanager.lock.benchmark.sample;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The database that a run's instances share, fresh for every run; the instances create the sample's schema and seed
 * the benchmark's stock themselves at startup. Chosen with {@code bench.sample.database}: {@code postgres} (the
 * default where PostgreSQL is installed), a server of its own that every instance reaches over TCP alike, or
 * {@code h2}, where the second instance reaches the database through the first.
 */
sealed interface SampleDatabase extends AutoCloseable permits H2Database, PostgresCluster {

	/**
	 * Makes a fresh, empty database for the next run; the previous run's instances must be stopped by now.
	 * @param runDirectory the run's own directory
	 * @return the instances' datasource arguments
	 */
	List<String> fresh(Path runDirectory) throws IOException, InterruptedException;

	/**
	 * @return CPU seconds of the database server so far; 0 when the database runs inside the instances
	 */
	double cpuSeconds();

	/** What the database is, for the report's header. */
	String description();

	@Override
	void close();

	/**
	 * Opens the database {@code requested} names, starting its server if it has one.
	 * @param requested {@code postgres}, {@code h2}, or blank for PostgreSQL where it is installed and H2 elsewhere
	 */
	static SampleDatabase open(String requested) throws IOException, InterruptedException {
		Optional<Path> binaries = PostgresCluster.findBinaries();
		return switch (requested.trim().toLowerCase(Locale.ROOT)) {
			case "postgres" -> PostgresCluster.start(binaries.orElseThrow(() -> new IllegalStateException(
					"-Dbench.sample.database=postgres, but no PostgreSQL is installed (no initdb, pg_ctl and postgres"
							+ " in /usr/lib/postgresql/<version>/bin): apt-get install postgresql, or run with"
							+ " -Dbench.sample.database=h2")));
			case "h2" -> new H2Database("");
			case "" -> binaries.isPresent() ? PostgresCluster.start(binaries.get())
					: new H2Database("; NOTE: PostgreSQL is not installed (apt-get install postgresql), so the"
							+ " two-instance runs also measure the second instance's database traffic through the"
							+ " first");
			default -> throw new IllegalArgumentException(
					"-Dbench.sample.database must be postgres or h2, not '" + requested + "'");
		};
	}

}
