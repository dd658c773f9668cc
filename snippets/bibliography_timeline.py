"""
Title: Thirty-odd years of work on vanishing and exploding gradients
Description: The papers of the bibliography on a timeline, one row per paper grouped and coloured by topic, from backpropagation in 1986 to mixed-precision training in 2018.
Accelerator: None
"""

# %% [markdown]
# The bibliography's entries as data: first author, year of the cited publication, and the
# topic the site files it under. The figure shows when each kind of remedy arrived.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

SEED = 0
keras.utils.set_random_seed(SEED)

PAPERS = [
    ("Rumelhart", 1986, "backpropagation and diagnosis"),
    ("Werbos", 1990, "backpropagation and diagnosis"),
    ("Hochreiter", 1991, "backpropagation and diagnosis"),
    ("Bengio", 1994, "backpropagation and diagnosis"),
    ("Pascanu", 2013, "backpropagation and diagnosis"),
    ("LeCun", 1998, "initialisation"),
    ("Glorot", 2010, "initialisation"),
    ("Saxe", 2014, "initialisation"),
    ("He", 2015, "initialisation"),
    ("Nair", 2010, "activations"),
    ("Maas", 2013, "activations"),
    ("Clevert", 2016, "activations"),
    ("Hendrycks", 2016, "activations"),
    ("Klambauer", 2017, "activations"),
    ("Ramachandran", 2017, "activations"),
    ("Ioffe", 2015, "normalisation"),
    ("Ba", 2016, "normalisation"),
    ("Hochreiter", 1997, "architecture"),
    ("Gers", 2000, "architecture"),
    ("Cho", 2014, "architecture"),
    ("Srivastava", 2015, "architecture"),
    ("He", 2016, "architecture"),
    ("Kingma", 2015, "optimisation and numerics"),
    ("Micikevicius", 2018, "optimisation and numerics"),
]
TOPICS = list(dict.fromkeys(topic for _, _, topic in PAPERS))

# %% [markdown]
# One row per paper, grouped by topic and ordered by year within each group.

# %%
rows = sorted(PAPERS, key=lambda paper: (TOPICS.index(paper[2]), paper[1]))
colors = dict(zip(TOPICS, plt.get_cmap("tab10").colors))
fig, ax = plt.subplots(figsize=(7, 5))
for topic in TOPICS:
    positions = [index for index, paper in enumerate(rows) if paper[2] == topic]
    ax.scatter([rows[index][1] for index in positions], positions, color=colors[topic], s=28, zorder=3, label=topic)
    ax.hlines(positions, 1984, [rows[index][1] for index in positions], color=colors[topic], alpha=0.3, linewidth=0.8)
ax.set_yticks(range(len(rows)))
ax.set_yticklabels([f"{name} {year}" for name, year, _ in rows], fontsize=6.5)
ax.set_xlim(1984, 2020)
ax.set_ylim(len(rows) - 0.5, -0.5)
ax.set_xlabel("year of publication")
ax.set_ylabel("paper (first author and year)")
ax.set_title("Papers in the bibliography, grouped by topic")
ax.legend(fontsize=7, loc="center", bbox_to_anchor=(0.45, 0.5))
ax.grid(alpha=0.3, axis="x")

# %%
years = sorted(year for _, year, _ in PAPERS)
results = {
    "paper_count": len(PAPERS),
    "topic_count": len(TOPICS),
    "first_year": years[0],
    "last_year": years[-1],
    "years": ",".join(str(year) for year in years),
    "papers_since_2010": sum(year >= 2010 for year in years),
}
print(results)
