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

	private ProcessCpu() {
	}

	/**
	 * @return user plus system CPU seconds of the process, or NaN where /proc cannot tell (not Linux, process gone)
	 */
	static double seconds(long pid) {
		try {
			String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
			// The command name (field 2) may contain spaces; the fields after its closing parenthesis do not.
			String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			// utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
			return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
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

	/**
	 * CPU seconds of the processes of a run, and of the whole machine.
	 *
	 * @param instances the sample's instances, summed
	 * @param redis the redis-server
	 * @param driver this JVM: the load driver
	 * @param machine all cores, busy with anything
	 */
	record Usage(double instances, double redis, double driver, double machine) {

		Usage minus(Usage earlier) {
			return new Usage(this.instances - earlier.instances, this.redis - earlier.redis,
					this.driver - earlier.driver, this.machine - earlier.machine);
		}

		/** CPU seconds of everything else on the machine: other programs, the kernel's own threads. */
		double others() {
			// The per-process and the machine-wide counters are read a moment apart and disagree by a few hundredths
			// of a core: a quiet machine would otherwise show a small negative share.
			return Math.max(0, this.machine - this.instances - this.redis - this.driver);
		}

	}

}
