"""
Title: The works the site cites, on a timeline
Description: The works of the bibliography on a timeline, one row per work grouped and coloured by topic, from Huber's robust loss in 1964 and backpropagation in 1986 to transformer-stability papers and Keras 3 in 2023.
Accelerator: None
"""

# %% [markdown]
# The bibliography's entries as data: authors (shortened), year of the cited publication, and
# the topic the site files it under. The figure shows when each kind of remedy arrived.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

SEED = 0
keras.utils.set_random_seed(SEED)

PAPERS = [
    ("Rumelhart et al.", 1986, "backpropagation and diagnosis"),
    ("Werbos", 1990, "backpropagation and diagnosis"),
    ("Hochreiter", 1991, "backpropagation and diagnosis"),
    ("Bengio et al.", 1994, "backpropagation and diagnosis"),
    ("Pascanu et al.", 2013, "backpropagation and diagnosis"),
    ("Håstad", 1986, "depth before the modern fixes"),
    ("Cybenko", 1989, "depth before the modern fixes"),
    ("Hornik", 1991, "depth before the modern fixes"),
    ("Schmidhuber", 1992, "depth before the modern fixes"),
    ("Hinton et al.", 2006, "depth before the modern fixes"),
    ("Hinton & Salakhutdinov", 2006, "depth before the modern fixes"),
    ("Bengio & LeCun", 2007, "depth before the modern fixes"),
    ("Bengio et al.", 2007, "depth before the modern fixes"),
    ("Raina et al.", 2009, "depth before the modern fixes"),
    ("Erhan et al.", 2010, "depth before the modern fixes"),
    ("Cireşan et al.", 2010, "depth before the modern fixes"),
    ("Montúfar et al.", 2014, "depth before the modern fixes"),
    ("Telgarsky", 2016, "depth before the modern fixes"),
    ("LeCun et al.", 1998, "initialisation and signal propagation"),
    ("Glorot & Bengio", 2010, "initialisation and signal propagation"),
    ("Saxe et al.", 2014, "initialisation and signal propagation"),
    ("He et al.", 2015, "initialisation and signal propagation"),
    ("Le et al.", 2015, "initialisation and signal propagation"),
    ("Poole et al.", 2016, "initialisation and signal propagation"),
    ("Schoenholz et al.", 2017, "initialisation and signal propagation"),
    ("Pennington et al.", 2017, "initialisation and signal propagation"),
    ("Hanin", 2018, "initialisation and signal propagation"),
    ("Hanin & Rolnick", 2018, "initialisation and signal propagation"),
    ("Nair & Hinton", 2010, "activations"),
    ("Glorot et al.", 2011, "activations"),
    ("Maas et al.", 2013, "activations"),
    ("Clevert et al.", 2016, "activations"),
    ("Hendrycks & Gimpel", 2016, "activations"),
    ("Klambauer et al.", 2017, "activations"),
    ("Ramachandran et al.", 2017, "activations"),
    ("Elfwing et al.", 2018, "activations"),
    ("Lu et al.", 2020, "activations"),
    ("Ioffe & Szegedy", 2015, "normalisation"),
    ("Ba et al.", 2016, "normalisation"),
    ("Santurkar et al.", 2018, "normalisation"),
    ("Yang et al.", 2019, "normalisation"),
    ("Ioffe", 2017, "normalisation"),
    ("Wu & He", 2018, "normalisation"),
    ("Zhang & Sennrich", 2019, "normalisation"),
    ("Hochreiter & Schmidhuber", 1997, "architecture"),
    ("Gers et al.", 2000, "architecture"),
    ("Cho et al.", 2014, "architecture"),
    ("Srivastava et al.", 2015, "architecture"),
    ("Jozefowicz et al.", 2015, "architecture"),
    ("He et al. (ResNet)", 2016, "architecture"),
    ("He et al. (identity maps)", 2016, "architecture"),
    ("Veit et al.", 2016, "architecture"),
    ("Vaswani et al.", 2017, "architecture"),
    ("Bai et al.", 2018, "architecture"),
    ("Tallec & Ollivier", 2018, "architecture"),
    ("Zhang et al.", 2019, "architecture"),
    ("De & Smith", 2020, "architecture"),
    ("Bachlechner et al.", 2021, "architecture"),
    ("Brock et al.", 2021, "architecture"),
    ("Radford et al.", 2019, "transformers"),
    ("Xiong et al.", 2020, "transformers"),
    ("Liu et al. (Admin)", 2020, "transformers"),
    ("Henry et al.", 2020, "transformers"),
    ("Brown et al.", 2020, "transformers"),
    ("Wang et al.", 2022, "transformers"),
    ("Chowdhery et al.", 2022, "transformers"),
    ("Dehghani et al.", 2023, "transformers"),
    ("Zhai et al.", 2023, "transformers"),
    ("Wortsman et al.", 2023, "transformers"),
    ("Huber", 1964, "GANs and reinforcement learning"),
    ("Mnih et al.", 2015, "GANs and reinforcement learning"),
    ("van Hasselt et al.", 2016, "GANs and reinforcement learning"),
    ("Arjovsky et al.", 2017, "GANs and reinforcement learning"),
    ("Gulrajani et al.", 2017, "GANs and reinforcement learning"),
    ("Miyato et al.", 2018, "GANs and reinforcement learning"),
    ("Krogh & Hertz", 1992, "optimisation and numerics"),
    ("Mikolov", 2012, "optimisation and numerics"),
    ("Tieleman & Hinton", 2012, "optimisation and numerics"),
    ("Kingma & Ba", 2015, "optimisation and numerics"),
    ("Micikevicius et al.", 2018, "optimisation and numerics"),
    ("Loshchilov & Hutter", 2019, "optimisation and numerics"),
    ("Zhang et al.", 2020, "optimisation and numerics"),
    ("Goodfellow", 2015, "optimisation and numerics"),
    ("Goyal et al.", 2017, "optimisation and numerics"),
    ("You et al. (LARS)", 2017, "optimisation and numerics"),
    ("McCandlish et al.", 2018, "optimisation and numerics"),
    ("Kalamkar et al.", 2019, "optimisation and numerics"),
    ("You et al. (LAMB)", 2020, "optimisation and numerics"),
    ("Liu et al. (RAdam)", 2020, "optimisation and numerics"),
    ("Nocedal & Wright", 2006, "books, standards and software"),
    ("IEEE", 2008, "books, standards and software"),
    ("Goodfellow et al.", 2016, "books, standards and software"),
    ("IEEE", 2019, "books, standards and software"),
    ("Chollet et al.", 2023, "books, standards and software"),
]
TOPICS = list(dict.fromkeys(topic for _, _, topic in PAPERS))

# %% [markdown]
# One row per work, grouped by topic and ordered by year within each group.

# %%
FIRST_SHOWN = min(year for _, year, _ in PAPERS) - 2
rows = sorted(PAPERS, key=lambda paper: (TOPICS.index(paper[2]), paper[1]))
colors = dict(zip(TOPICS, plt.get_cmap("tab10").colors))
fig, ax = plt.subplots(figsize=(7, 15))
for topic in TOPICS:
    positions = [index for index, paper in enumerate(rows) if paper[2] == topic]
    ax.scatter([rows[index][1] for index in positions], positions, color=colors[topic], s=28, zorder=3, label=topic)
    ax.hlines(positions, FIRST_SHOWN, [rows[index][1] for index in positions], color=colors[topic], alpha=0.3, linewidth=0.8)
ax.set_yticks(range(len(rows)))
ax.set_yticklabels([f"{name} {year}" for name, year, _ in rows], fontsize=6)
ax.set_xlim(FIRST_SHOWN, 2025)
ax.set_ylim(len(rows) - 0.5, -0.5)
ax.set_xlabel("year of publication")
ax.set_ylabel("work (authors and year)")
ax.set_title("Works in the bibliography, grouped by topic")
ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.45, -0.05), ncol=2)
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
    "works": ";".join(f"{name} {year}" for name, year, _ in PAPERS),
}
print(results)
