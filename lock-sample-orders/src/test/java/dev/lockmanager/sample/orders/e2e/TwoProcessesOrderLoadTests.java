package dev.lockmanager.sample.orders.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.stream.Stream;

import org.junit.jupiter.api.condition.EnabledIf;

import dev.lockmanager.lock.testing.RedisServer;

/**
 * The order load on two instances of the sample run as separate JVMs from its executable jar. The jar is built by
 * {@code package}, which runs after the tests, so during a {@code verify} of a clean tree it does not exist yet and
 * these tests are skipped; a jar older than the compiled classes is skipped too, as it would test stale code.
 */
@EnabledIf(value = "jarIsBuiltFromTheCurrentClasses", disabledReason = "needs target/lock-sample-orders.jar built"
		+ " from the current classes: ./mvnw -B -pl lock-sample-orders -am package -DskipTests, then run the tests")
class TwoProcessesOrderLoadTests extends LockedOrderLoadTests {

	static boolean jarIsBuiltFromTheCurrentClasses() {
		Path jar = ProcessInstances.jar();
		return Files.isRegularFile(jar) && lastModified(jar).compareTo(newestIn(ProcessInstances.classes())) >= 0;
	}

	@Override
	OrderServiceInstances start(SharedDatabase database, RedisServer redis, Path directory) {
		return ProcessInstances.start(2, database, redis, directory);
	}

	private static FileTime newestIn(Path directory) {
		if (!Files.isDirectory(directory)) {
			return FileTime.fromMillis(0);
		}
		try (Stream<Path> files = Files.walk(directory)) {
			return files.filter(Files::isRegularFile)
				.map(TwoProcessesOrderLoadTests::lastModified)
				.max(Comparator.naturalOrder())
				.orElse(FileTime.fromMillis(0));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static FileTime lastModified(Path file) {
		try {
			return Files.getLastModifiedTime(file);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
