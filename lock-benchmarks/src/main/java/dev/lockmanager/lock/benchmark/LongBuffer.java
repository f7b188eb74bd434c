package dev.lockmanager.lock.benchmark;

import java.util.Arrays;

/** A growable array of longs, so recording a latency allocates nothing once sized. */
final class LongBuffer {

	private long[] values;

	private int size;

	LongBuffer(int capacity) {
		this.values = new long[Math.max(16, capacity)];
	}

	int size() {
		return this.size;
	}

	void add(long value) {
		if (this.size == this.values.length) {
			this.values = Arrays.copyOf(this.values, this.values.length * 2);
		}
		this.values[this.size++] = value;
	}

	void addAll(LongBuffer other) {
		if (this.size + other.size > this.values.length) {
			this.values = Arrays.copyOf(this.values, Math.max(this.values.length * 2, this.size + other.size));
		}
		System.arraycopy(other.values, 0, this.values, this.size, other.size);
		this.size += other.size;
	}

	long[] sorted() {
		return sortedSince(0);
	}

	/** The values recorded since index {@code from}, ascending. */
	long[] sortedSince(int from) {
		long[] sorted = Arrays.copyOfRange(this.values, from, this.size);
		Arrays.sort(sorted);
		return sorted;
	}

}
