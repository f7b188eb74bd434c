package dev.lockmanager.lock.benchmark.contention;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * The main class of one child process of the process mode: one application instance of one implementation, its
 * threads locking the hot key. Started by {@link ChildProcesses} with the benchmark's classpath and the arguments
 * {@code implementation host port instance threads sectionNanos outputFile}.
 * <p>
 * Protocol: prints {@value #READY} once its client is connected and has taken the key once; reads
 * {@code go <from> <to>} (nanoTime values of the parent, comparable here: one CLOCK_MONOTONIC per machine) from
 * stdin; runs until {@code to}; writes its {@link SliceLog} to the output file; exits 0. The parent holds stdin open
 * for as long as it waits for this process, so the end of stdin means the parent is gone: the process then halts at
 * once rather than linger.
 */
public final class ContentionChild {

	static final String READY = "contention-child: ready";

	private ContentionChild() {
	}

	public static void main(String[] args) {
		int status;
		try {
			status = run(args);
		}
		catch (Throwable ex) {
			ex.printStackTrace();
			status = 1;
		}
		// Libraries are closed by now; exit even if one left a non-daemon thread behind.
		System.exit(status);
	}

	private static int run(String[] args) throws Exception {
		if (args.length != 7) {
			throw new IllegalArgumentException("Expected implementation host port instance threads sectionNanos "
					+ "outputFile but got " + Arrays.toString(args));
		}
		Implementation implementation = Implementation.byId(args[0]);
		int instance = Integer.parseInt(args[3]);
		int threads = Integer.parseInt(args[4]);
		long sectionNanos = Long.parseLong(args[5]);
		CompletableFuture<String> go = new CompletableFuture<>();
		watchParent(go);
		try (HotKeyLock lock = implementation.open(args[1], Integer.parseInt(args[2]))) {
			// One cycle before the common window: a cold JVM spends its first second loading classes.
			lock.acquire(SliceRunner.WAIT_TIME)
				.orElseThrow(() -> new IllegalStateException("The hot key stayed held for "
						+ SliceRunner.WAIT_TIME.toSeconds() + "s before the run began"))
				.release();
			System.out.println(READY);
			System.out.flush();
			String[] window = go.get().split(" ");
			HotKeyLock[] locks = new HotKeyLock[threads];
			int[] instances = new int[threads];
			Arrays.fill(locks, lock);
			Arrays.fill(instances, instance);
			SliceLog slice = SliceRunner.run(locks, instances, sectionNanos, Long.parseLong(window[1]),
					Long.parseLong(window[2]));
			slice.writeTo(Path.of(args[6]));
		}
		return 0;
	}

	/** Reads stdin to its end from the start: the go line, then nothing until the parent is gone. */
	private static void watchParent(CompletableFuture<String> go) {
		Thread watcher = new Thread(() -> {
			try (BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, UTF_8))) {
				for (String line = stdin.readLine(); line != null; line = stdin.readLine()) {
					go.complete(line);
				}
			}
			catch (IOException ex) {
				// a broken pipe means the same: the parent is gone
			}
			Runtime.getRuntime().halt(3);
		}, "contention-parent-watch");
		watcher.setDaemon(true);
		watcher.start();
	}

}
