"Other MovieLens releases (collab_course.research, from 11_further_research), read from hand-made folders, offline."
import zipfile

import pandas as pd
import pytest

from collab_course.provision import MovieLensUnavailable
from collab_course.research import MOVIELENS_NAMES, PUBLISHED_RMSE, movielens_url, read_movielens, download_movielens


def test_urls():
    assert movielens_url('ml-1m').endswith('ml-1m.zip') and movielens_url('ml-latest-small').endswith('ml-latest-small.zip')
    with pytest.raises(ValueError, match='choose one of'): movielens_url('ml-2m')
    assert set(MOVIELENS_NAMES) >= {'ml-100k', 'ml-1m'}


def write_dat(folder):
    folder.mkdir(parents=True)
    (folder/'ratings.dat').write_text('1::10::5::978300760\n2::10::3::978302109\n2::20::4::978301968\n')
    (folder/'movies.dat').write_bytes('10::Amélie (2001)::Comedy\n20::Heat (1995)::Action\n'.encode('latin-1'))


def test_read_dat_and_csv_releases(tmp_path):
    write_dat(tmp_path/'ml-1m')
    dat = read_movielens(tmp_path/'ml-1m')
    assert list(dat.columns[:4]) == ['user', 'movie', 'rating', 'timestamp'] and len(dat) == 3, dat
    assert set(dat['title']) == {'Amélie (2001)', 'Heat (1995)'}
    csv = tmp_path/'ml-latest-small'; csv.mkdir()
    (csv/'ratings.csv').write_text('userId,movieId,rating,timestamp\n1,10,4.5,1\n')
    (csv/'movies.csv').write_text('movieId,title,genres\n10,"Heat (1995)",Action\n')
    got = read_movielens(csv)
    assert got[['user', 'movie', 'rating', 'title']].values.tolist() == [[1, 10, 4.5, 'Heat (1995)']]
    with pytest.raises(FileNotFoundError, match='holds no MovieLens ratings'): read_movielens(tmp_path)


def test_download_from_a_local_zip_and_a_missing_one(tmp_path):
    write_dat(tmp_path/'src'/'ml-1m')
    zip_path = tmp_path/'ml-1m.zip'
    with zipfile.ZipFile(zip_path, 'w') as z:
        for f in (tmp_path/'src'/'ml-1m').iterdir(): z.write(f, f'ml-1m/{f.name}')
    folder = download_movielens('ml-1m', url=zip_path.as_uri(), base=tmp_path/'fastai')
    assert (folder/'ratings.dat').exists(), folder
    with pytest.raises(MovieLensUnavailable, match='Could not download ml-1m'):
        download_movielens('ml-1m', url=(tmp_path/'nowhere.zip').as_uri(), base=tmp_path/'other')


def test_one_table_of_published_figures():
    assert list(PUBLISHED_RMSE.columns) == ['method', 'RMSE', 'protocol', 'comparable', 'chosen on', 'source']
    assert PUBLISHED_RMSE['method'].is_unique and PUBLISHED_RMSE['RMSE'].between(0.85, 1.0).all(), PUBLISHED_RMSE
