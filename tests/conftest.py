import warnings
# fastai and torch print deprecation warnings at import that say nothing about this project
warnings.filterwarnings('ignore', category=FutureWarning)
warnings.filterwarnings('ignore', category=DeprecationWarning)
