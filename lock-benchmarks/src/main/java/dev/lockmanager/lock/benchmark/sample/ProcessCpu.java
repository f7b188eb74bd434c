package dev.lockmanager.lock.benchmark.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time so far of a process ({@code /proc/<pid>/stat}) and of the whole machine ({@code /proc/stat}), on Linux: it
 * shows where the cores went during a run, and so whether the load driver, or something else running on the machine,
 * took CPU the service under test needed.
 */
final class ProcessCpu {

	/** USER_HZ, the unit of /proc's CPU times: 100 on every Linux architecture the JDK runs on. */
	private static final double TICKS_PER_SECOND = 100.0;

	/**
	 * Index of utime after the command name: utime, stime, cutime and cstime are fields 14 to 17 of the line.
	 */
	private static final int UTIME = 11;

	private ProcessCpu() {
	}

	/**
	 * @return user plus system CPU seconds of the process, or NaN where /proc cannot tell (not Linux, process gone)
	 */
	static double seconds(long pid) {
		try {
			String[] fields = stat(pid);
			return (Long.parseLong(fields[UTIME]) + Long.parseLong(fields[UTIME + 1])) / TICKS_PER_SECOND;
		}
		catch (IOException | RuntimeException ex) {
			return Double.NaN;
		}
	}

	/**
	 * CPU seconds of a server that works in child processes, as PostgreSQL runs each connection in a backend of its
	 * own: the process itself, its live descendants, and the children it has already reaped (the kernel adds those to
	 * its {@code cutime} and {@code cstime}), so that a backend that ends between two readings is not lost.
	 * @return the sum, or NaN where /proc cannot tell
	 */
	static double serverSeconds(long pid) {
		try {
			String[] fields = stat(pid);
			long ticks = 0;
			for (int i = UTIME; i < UTIME + 4; i++) {
				ticks += Long.parseLong(fields[i]);
			}
			// A descendant that ends while being read moves into the reaped children's total: skip it here.
			double descendants = ProcessHandle.of(pid)
				.stream()
				.flatMap(ProcessHandle::descendants)
				.mapToDouble(child -> seconds(child.pid()))
				.filter(seconds -> !Double.isNaN(seconds))
				.sum();
			return ticks / TICKS_PER_SECOND + descendants;
		}
		catch (IOException | RuntimeException ex) {
			return Double.NaN;
		}
	}

	/**
	 * @return CPU seconds that all cores together spent busy (not idle, not waiting for I/O), or NaN where /proc
	 * cannot tell
	 */
	static double machineBusySeconds() {
		try {
			// "cpu  user nice system idle iowait irq softirq steal ...": the first line sums all cores.
			String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
			long busy = 0;
			for (int i = 1; i <= 8; i++) {
				if (i != 4 && i != 5) {
					busy += Long.parseLong(fields[i]);
				}
			}
			return busy / TICKS_PER_SECOND;
		}
		catch (IOException | RuntimeException ex) {
			return Double.NaN;
		}
	}

	/** The fields of {@code /proc/<pid>/stat} after the command name, from the state on. */
	private static String[] stat(long pid) throws IOException {
		String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
		// The command name (field 2) may contain spaces; the fields after its closing parenthesis do not.
		return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
	}

	/**
	 * CPU seconds of the processes of a run, and of the whole machine.
	 *
	 * @param instances the sample's instances, summed
	 * @param redis the redis-server
	 * @param database the database server and its backends; 0 when the database runs inside the instances (H2)
	 * @param driver this JVM: the load driver
	 * @param machine all cores, busy with anything
	 */
	record Usage(double instances, double redis, double database, double driver, double machine) {

		Usage minus(Usage earlier) {
			return new Usage(this.instances - earlier.instances, this.redis - earlier.redis,
					this.database - earlier.database, this.driver - earlier.driver, this.machine - earlier.machine);
		}

		/** CPU seconds of everything else on the machine: other programs, the kernel's own threads. */
		double others() {
			// The per-process and the machine-wide counters are read a moment apart and disagree by a few hundredths
			// of a core: a quiet machine would otherwise show a small negative share.
			return Math.max(0, this.machine - this.instances - this.redis - this.database - this.driver);
		}

	}

}
