package dev.lockmanager.lock.benchmark.sample;

import java.nio.file.Path;
import java.util.List;

/**
 * A fresh H2 file database in each run's directory, which the first instance opens and serves to the others
 * ({@code AUTO_SERVER}): the second instance of a two-instance run reaches it over TCP through the first, so the
 * two-instance runs pay CPU that one instance does not. For machines without PostgreSQL; its CPU counts as the
 * instances'.
 */
final class H2Database implements SampleDatabase {

	private final String note;

	/**
	 * @param note appended to the description: why H2 was chosen, if the user did not ask for it
	 */
	H2Database(String note) {
		this.note = note;
	}

	@Override
	public List<String> fresh(Path runDirectory) {
		return List.of(
				"--spring.datasource.url=jdbc:h2:file:" + runDirectory.resolve("orders").toAbsolutePath()
						+ ";AUTO_SERVER=TRUE;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE",
				"--spring.datasource.username=sa", "--spring.datasource.password=");
	}

	@Override
	public double cpuSeconds() {
		return 0;
	}

	@Override
	public String description() {
		return "H2, a fresh file database per run that the first instance serves to the second (AUTO_SERVER),"
				+ " inside the instances" + this.note;
	}

	@Override
	public void close() {
		// Nothing runs outside the instances; the files go with the run's directory.
	}

}
