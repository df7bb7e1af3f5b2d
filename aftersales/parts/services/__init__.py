"""Writes to spare parts. Every stock change goes through stock.stock_move, which locks the rows it changes."""
