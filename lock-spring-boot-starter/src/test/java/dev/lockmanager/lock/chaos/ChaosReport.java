package dev.lockmanager.lock.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.lockmanager.lock.testing.RedisServer;

/**
 * The suite's table: one row per scenario run in this JVM, printed by each test class when it ends and kept in
 * {@code target/chaos/report.md}, with a line describing the machine.
 */
final class ChaosReport {

	private static final String HEADER = "| scenario | processes | ops | acquire failures | faults | overlaps"
			+ " | losses reported | stale writes rejected | lost updates | worst recovery |\n"
			+ "|---|---|---|---|---|---|---|---|---|---|";

	private static final List<String> ROWS = new ArrayList<>();

	private ChaosReport() {
	}

	/**
	 * Records a scenario's figures.
	 * @return its row of the table
	 */
	static synchronized String add(String scenario, ChaosProfile profile, Verdict verdict) {
		String row = "| " + scenario + " | " + profile.processes() + " | " + verdict.operations() + " | "
				+ verdict.acquireFailures() + " | " + verdict.faults() + " | " + verdict.overlaps() + " | "
				+ verdict.lossesReported() + " | " + verdict.staleWritesRejected() + " | " + verdict.lostUpdates()
				+ " | " + ((verdict.worstRecovery() != null) ? verdict.worstRecovery().toMillis() + " ms" : "-") + " |";
		ROWS.add(row);
		return row;
	}

	/**
	 * Prints the table of every scenario so far and writes it to {@code target/chaos/report.md}.
	 * @param redis a server of the run, whose version is reported
	 */
	static synchronized void print(ChaosProfile profile, RedisServer redis) {
		String table = "Fault-injection suite, " + profile.name() + " profile (" + machine(redis) + "):\n\n" + HEADER
				+ "\n" + String.join("\n", ROWS) + "\n";
		System.out.println(table);
		Path file = Path.of("target", "chaos", "report.md");
		try {
			Files.createDirectories(file.getParent());
			Files.writeString(file, table);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not write " + file, ex);
		}
	}

	private static String machine(RedisServer redis) {
		String cpu = "";
		try {
			cpu = Files.readAllLines(Path.of("/proc/cpuinfo"))
				.stream()
				.filter((line) -> line.startsWith("model name"))
				.map((line) -> line.substring(line.indexOf(':') + 1).trim() + ", ")
				.findFirst()
				.orElse("");
		}
		catch (IOException ex) {
			// not Linux: no model name
		}
		return Runtime.getRuntime().availableProcessors() + " cores, " + cpu + System.getProperty("os.name") + " "
				+ System.getProperty("os.arch") + ", Java " + System.getProperty("java.version") + ", "
				+ "Redis " + ((String) redis.execute("INFO", "server")).lines()
					.filter((line) -> line.startsWith("redis_version:"))
					.map((line) -> line.substring("redis_version:".length()))
					.findFirst()
					.orElse("?");
	}

}
