package dev.lockmanager.lock.benchmark.contention;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What one timed run of one implementation recorded: the measured window {@code [from, to)} (after its warm-up), the
 * acquisitions that returned from {@code from} on, sorted by when acquire returned (which, the lock being exclusive,
 * is the order of the holders), and the counts kept outside the records. A child process writes its slice to a file;
 * the parent {@link #merge merges} the children's slices of one run.
 *
 * @param from when the warm-up ended and measuring began, in {@link System#nanoTime()}
 * @param to when the threads stopped starting new acquisitions
 * @param acquisitions the acquisitions returned from {@code from} on, including those after {@code to}
 * @param timeouts acquisitions started in the window that gave up after the wait time
 * @param holderOverlaps times a thread found another holder in its own process while it held the key
 */
record SliceLog(long from, long to, List<Acquisition> acquisitions, long timeouts, long holderOverlaps) {

	SliceLog {
		acquisitions = acquisitions.stream().sorted(Comparator.comparingLong(Acquisition::acquireEnd)).toList();
	}

	/** The slices of processes that ran in the same window, as one. */
	static SliceLog merge(List<SliceLog> slices) {
		List<Acquisition> all = new ArrayList<>();
		long timeouts = 0;
		long holderOverlaps = 0;
		for (SliceLog slice : slices) {
			if (slice.from != slices.get(0).from || slice.to != slices.get(0).to) {
				throw new IllegalArgumentException("Only slices of one window can be merged");
			}
			all.addAll(slice.acquisitions);
			timeouts += slice.timeouts;
			holderOverlaps += slice.holderOverlaps;
		}
		return new SliceLog(slices.get(0).from, slices.get(0).to, all, timeouts, holderOverlaps);
	}

	void writeTo(Path file) throws IOException {
		try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
			out.writeLong(this.from);
			out.writeLong(this.to);
			out.writeLong(this.timeouts);
			out.writeLong(this.holderOverlaps);
			out.writeInt(this.acquisitions.size());
			for (Acquisition acquisition : this.acquisitions) {
				out.writeInt(acquisition.instance());
				out.writeLong(acquisition.acquireStart());
				out.writeLong(acquisition.acquireEnd());
				out.writeLong(acquisition.releaseStart());
				out.writeLong(acquisition.releaseEnd());
				out.writeLong(acquisition.fencingToken());
			}
		}
	}

	static SliceLog readFrom(Path file) throws IOException {
		try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
			long from = in.readLong();
			long to = in.readLong();
			long timeouts = in.readLong();
			long holderOverlaps = in.readLong();
			int count = in.readInt();
			List<Acquisition> acquisitions = new ArrayList<>(count);
			for (int i = 0; i < count; i++) {
				acquisitions.add(new Acquisition(in.readInt(), in.readLong(), in.readLong(), in.readLong(),
						in.readLong(), in.readLong()));
			}
			return new SliceLog(from, to, acquisitions, timeouts, holderOverlaps);
		}
	}

}
