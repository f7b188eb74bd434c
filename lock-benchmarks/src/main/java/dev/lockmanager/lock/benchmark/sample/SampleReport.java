package dev.lockmanager.lock.benchmark.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The report: printed as it is written, and kept to be copied to {@code bench.sample.report} at the end. */
final class SampleReport {

	private final StringBuilder text = new StringBuilder();

	void print(String line) {
		System.out.println(line);
		this.text.append(line).append('\n');
	}

	/** Prints a line formatted with {@link Locale#ROOT}, so decimals look the same on every machine. */
	void printf(String format, Object... args) {
		print(String.format(Locale.ROOT, format, args));
	}

	/** Copies the report to {@code file}; blank: nowhere. */
	void writeTo(String file) {
		if (file.isBlank() || this.text.isEmpty()) {
			return;
		}
		try {
			Path path = Path.of(file);
			if (path.getParent() != null) {
				Files.createDirectories(path.getParent());
			}
			Files.writeString(path, this.text);
			System.out.println("(report written to " + path + ")");
		}
		catch (IOException ex) {
			System.err.println("Could not write the report to " + file + ": " + ex);
		}
	}

}
